import { Injectable } from '@nestjs/common';
import { Clock, EventOutbox, UnitOfWork } from '@app/shared';
import { applyHeldEvents } from '../../domain/held-message-event';
import { HeldMessageEventRepository } from '../../domain/held-message-event.repository.port';
import { MessageExternalIdConflictError } from '../../domain/message.errors';
import { Message } from '../../domain/message.aggregate';
import { MessageRepository } from '../../domain/message.repository.port';
import { PendingMessageAckRepository } from '../../domain/pending-message-ack.repository.port';
import { type MessageView, toMessageView } from '../message.view';
import { type CreateMessageCommand } from './create-message.command';

export interface CreateMessageResult {
  message: MessageView;
  /** True only for the one call that stored the message (and raised its `message.created`). */
  created: boolean;
}

/**
 * Stores a message once per channel and WAHA id. Safe under retries, duplicate deliveries and
 * concurrency: work on one WhatsApp message is serialised by a transaction-scoped advisory lock on
 * (channel, `{fromMe}_{chatId}_{rawId}`), and the insert is `ON CONFLICT (channel_id, external_id)
 * DO NOTHING`. A repeated call returns the stored message with `created: false` and writes no event.
 * An ack that arrived before the message (pending_message_acks) is applied in the same transaction,
 * raising `message.status_changed` after `message.created`, exactly as if it had come after; then
 * the revokes and reactions held for it (held_message_events), in WhatsApp-time order, raising
 * `message.reaction_added`/`_removed` and `message.revoked` the same way.
 */
@Injectable()
export class CreateMessageHandler {
  constructor(
    private readonly messages: MessageRepository,
    private readonly pendingAcks: PendingMessageAckRepository,
    private readonly heldEvents: HeldMessageEventRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly eventOutbox: EventOutbox,
    private readonly clock: Clock,
  ) {}

  async execute(command: CreateMessageCommand): Promise<CreateMessageResult> {
    const now = this.clock.now();
    const candidate = Message.create(command, now);
    return this.unitOfWork.run(async () => {
      await this.messages.lockWaMessage(candidate.channelId, candidate.waKey);
      const existing = await this.messages.findByWaLocator(candidate.tenantId, candidate.channelId, {
        chatId: candidate.waChatId,
        rawId: candidate.waRawId,
        direction: candidate.direction,
      });
      if (existing) return { message: toMessageView(existing), created: false };

      const pending = await this.pendingAcks.take(candidate.channelId, candidate.waKey);
      if (pending) candidate.applyAck(pending.ackLevel, pending.receivedAt, now);
      const held = await this.heldEvents.take(
        candidate.tenantId,
        candidate.channelId,
        candidate.waChatId,
        candidate.waRawId,
        candidate.direction,
      );
      applyHeldEvents(candidate, held, now);
      if (!(await this.messages.insertIfAbsent(candidate))) {
        // Not visible to this tenant above, yet taken: the channel's row belongs to another tenant.
        throw new MessageExternalIdConflictError(candidate.channelId, candidate.externalId);
      }
      await this.eventOutbox.append(candidate.pullEvents());
      return { message: toMessageView(candidate), created: true };
    });
  }
}
