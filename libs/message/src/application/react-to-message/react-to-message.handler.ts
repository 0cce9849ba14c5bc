import { Injectable } from '@nestjs/common';
import { Clock, EventOutbox, UnitOfWork, assertUuid } from '@app/shared';
import { MessageRepository } from '../../domain/message.repository.port';
import { parseWaMessageId } from '../../domain/wa-message-id';
import { type ReactToMessageCommand } from './react-to-message.command';

export interface ReactToMessageResult {
  /** The reactor's reaction state on the message after the call (`recorded` or `removed`), or
   *  `unknown` when the reacted-to message is not stored. A duplicate or out-of-date reaction
   *  answers the current state. */
  outcome: 'recorded' | 'removed' | 'unknown';
  /** Whether this call stored anything. */
  changed: boolean;
}

/**
 * Records a reaction in the target message's `metadata.reactions` (one per reactor) and raises
 * `message.reaction_added` or, for an empty emoji, `message.reaction_removed`. Idempotent on the
 * reaction's WAHA id; a reaction older than the reactor's current one is ignored.
 */
@Injectable()
export class ReactToMessageHandler {
  constructor(
    private readonly messages: MessageRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly eventOutbox: EventOutbox,
    private readonly clock: Clock,
  ) {}

  async execute(command: ReactToMessageCommand): Promise<ReactToMessageResult> {
    assertUuid(command.tenantId, 'tenantId');
    assertUuid(command.channelId, 'channelId');
    const target = parseWaMessageId(command.targetExternalId, 'targetExternalId');
    const now = this.clock.now();

    return this.unitOfWork.run(async () => {
      const message = await this.messages.findByWaLocator(
        command.tenantId,
        command.channelId,
        { chatId: target.chatId, rawId: target.rawId, direction: target.fromMe ? 'outbound' : 'inbound' },
        { forUpdate: true },
      );
      if (!message) return { outcome: 'unknown', changed: false };
      const result = message.react(
        { reactorId: command.reactorId, emoji: command.emoji, reactionExternalId: command.reactionExternalId, at: command.at },
        now,
      );
      if (result.changed) {
        await this.messages.update(message);
        await this.eventOutbox.append(message.pullEvents());
      }
      return { outcome: result.state, changed: result.changed };
    });
  }
}
