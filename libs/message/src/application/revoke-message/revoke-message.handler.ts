import { Injectable } from '@nestjs/common';
import { Clock, EventOutbox, UnitOfWork, assertUuid } from '@app/shared';
import { HeldMessageEventRepository } from '../../domain/held-message-event.repository.port';
import { MessageRepository } from '../../domain/message.repository.port';
import { assertWaChatId, assertWaRawId, assertWhatsAppTime, waMessageKey } from '../../domain/wa-message-id';
import { type MessageView, toMessageView } from '../message.view';
import { type RevokeMessageCommand } from './revoke-message.command';

export interface RevokeMessageResult {
  /** `revoked` by this call, `already` revoked before, or `held`: no such message yet, the revoke is
   *  kept and applied when the message is created (a repeat of a held revoke answers `held` too). */
  outcome: 'revoked' | 'already' | 'held';
  message?: MessageView;
}

/**
 * Marks a message `deleted` with its revoke time and raises `message.revoked`, once. A revoke that
 * overtook its message is held (HeldMessageEventRepository) and applied by CreateMessage. A revoke
 * names no direction, so it takes the advisory locks of both (in one order, so two revokes cannot
 * deadlock; CreateMessage and acks take one): a message created meanwhile either is found here or
 * finds the held revoke.
 */
@Injectable()
export class RevokeMessageHandler {
  constructor(
    private readonly messages: MessageRepository,
    private readonly held: HeldMessageEventRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly eventOutbox: EventOutbox,
    private readonly clock: Clock,
  ) {}

  async execute(command: RevokeMessageCommand): Promise<RevokeMessageResult> {
    assertUuid(command.tenantId, 'tenantId');
    assertUuid(command.channelId, 'channelId');
    assertWaChatId(command.chatId, 'chatId');
    assertWaRawId(command.rawId, 'rawId');
    assertWhatsAppTime(command.at, 'at');

    return this.unitOfWork.run(async () => {
      for (const fromMe of [false, true]) {
        await this.messages.lockWaMessage(
          command.channelId,
          waMessageKey({ fromMe, chatId: command.chatId, rawId: command.rawId, participant: null }),
        );
      }
      // Read after the lock: a change that waited for its message's creation is never dated before it.
      const now = this.clock.now();
      const message = await this.messages.findByWaLocator(
        command.tenantId,
        command.channelId,
        { chatId: command.chatId, rawId: command.rawId },
        { forUpdate: true },
      );
      if (!message) {
        const target = {
          tenantId: command.tenantId,
          channelId: command.channelId,
          chatId: command.chatId,
          rawId: command.rawId,
          direction: null,
        };
        await this.held.hold(target, { kind: 'revoke', at: command.at }, now);
        return { outcome: 'held' };
      }
      if (!message.revoke(command.at, now)) return { outcome: 'already', message: toMessageView(message) };
      await this.messages.update(message);
      await this.eventOutbox.append(message.pullEvents());
      return { outcome: 'revoked', message: toMessageView(message) };
    });
  }
}
