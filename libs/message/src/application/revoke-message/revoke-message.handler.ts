import { Injectable } from '@nestjs/common';
import { Clock, EventOutbox, UnitOfWork, assertUuid } from '@app/shared';
import { MessageRepository } from '../../domain/message.repository.port';
import { assertWaChatId, assertWaRawId, assertWhatsAppTime } from '../../domain/wa-message-id';
import { type MessageView, toMessageView } from '../message.view';
import { type RevokeMessageCommand } from './revoke-message.command';

export interface RevokeMessageResult {
  /** `revoked` by this call, `already` revoked before, or `unknown` (no such message stored). */
  outcome: 'revoked' | 'already' | 'unknown';
  message?: MessageView;
}

/** Marks a message `deleted` with its revoke time and raises `message.revoked`, once. */
@Injectable()
export class RevokeMessageHandler {
  constructor(
    private readonly messages: MessageRepository,
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
    const now = this.clock.now();

    return this.unitOfWork.run(async () => {
      const message = await this.messages.findByWaLocator(
        command.tenantId,
        command.channelId,
        { chatId: command.chatId, rawId: command.rawId },
        { forUpdate: true },
      );
      if (!message) return { outcome: 'unknown' };
      if (!message.revoke(command.at, now)) return { outcome: 'already', message: toMessageView(message) };
      await this.messages.update(message);
      await this.eventOutbox.append(message.pullEvents());
      return { outcome: 'revoked', message: toMessageView(message) };
    });
  }
}
