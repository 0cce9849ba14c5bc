import { Injectable } from '@nestjs/common';
import { Clock, EventOutbox, UnitOfWork, assertUuid } from '@app/shared';
import { parseWahaAck, strongerAck } from '../../domain/message-ack';
import { type MessageStatus } from '../../domain/message-status';
import { MessageRepository } from '../../domain/message.repository.port';
import { PendingMessageAckRepository } from '../../domain/pending-message-ack.repository.port';
import { assertWhatsAppTime, parseWaMessageId, waMessageKey } from '../../domain/wa-message-id';
import { type ApplyMessageAckCommand } from './apply-message-ack.command';

export interface ApplyMessageAckResult {
  /** `applied`: the status moved forward; `ignored`: the message exists and the ack does not move it
   *  (older or equal ack, inbound or revoked message); `pending`: no such message yet, the ack is
   *  kept and applied when the message is created. */
  outcome: 'applied' | 'ignored' | 'pending';
  /** Status of the message after the call; null while pending. */
  status: MessageStatus | null;
}

/**
 * Applies a WAHA ack to an outbound message, forward only, raising `message.status_changed` when the
 * status moves. Takes the same advisory lock as CreateMessage, so an ack that races its message is
 * either applied to it or stored as pending and picked up by the create: never lost.
 */
@Injectable()
export class ApplyMessageAckHandler {
  constructor(
    private readonly messages: MessageRepository,
    private readonly pendingAcks: PendingMessageAckRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly eventOutbox: EventOutbox,
    private readonly clock: Clock,
  ) {}

  async execute(command: ApplyMessageAckCommand): Promise<ApplyMessageAckResult> {
    assertUuid(command.tenantId, 'tenantId');
    assertUuid(command.channelId, 'channelId');
    const waId = parseWaMessageId(command.externalId, 'externalId');
    const ack = parseWahaAck(command.ack, 'ack');
    assertWhatsAppTime(command.at, 'at');
    const waKey = waMessageKey(waId);

    return this.unitOfWork.run(async () => {
      await this.messages.lockWaMessage(command.channelId, waKey);
      // Read after the lock: a change that waited for its message's creation is never dated before it.
      const now = this.clock.now();
      const message = await this.messages.findByWaLocator(
        command.tenantId,
        command.channelId,
        { chatId: waId.chatId, rawId: waId.rawId, direction: waId.fromMe ? 'outbound' : 'inbound' },
        { forUpdate: true },
      );
      if (message) {
        const decision = message.applyAck(ack, command.at, now);
        if (!decision.apply) return { outcome: 'ignored', status: message.status };
        await this.messages.update(message);
        await this.eventOutbox.append(message.pullEvents());
        return { outcome: 'applied', status: message.status };
      }

      const pending = await this.pendingAcks.find(command.channelId, waKey);
      if (!pending || strongerAck(pending.ackLevel, ack) !== pending.ackLevel) {
        await this.pendingAcks.save({ channelId: command.channelId, waKey, ackLevel: ack, receivedAt: command.at });
      }
      return { outcome: 'pending', status: null };
    });
  }
}
