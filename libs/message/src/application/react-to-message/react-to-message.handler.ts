import { Injectable } from '@nestjs/common';
import { Clock, EventOutbox, UnitOfWork, assertUuid } from '@app/shared';
import { HeldMessageEventRepository } from '../../domain/held-message-event.repository.port';
import { parseReaction } from '../../domain/message.aggregate';
import { MessageRepository } from '../../domain/message.repository.port';
import { parseWaMessageId, waMessageKey } from '../../domain/wa-message-id';
import { type ReactToMessageCommand } from './react-to-message.command';

export interface ReactToMessageResult {
  /** The reactor's reaction state on the message after the call (`recorded` or `removed`), or
   *  `held` when the reacted-to message is not stored yet: the reaction is kept and applied when
   *  the message is created. A duplicate or out-of-date reaction answers the current state. */
  outcome: 'recorded' | 'removed' | 'held';
  /** Whether this call stored anything. */
  changed: boolean;
}

/**
 * Records a reaction in the target message's `metadata.reactions` (one per reactor) and raises
 * `message.reaction_added` or, for an empty emoji, `message.reaction_removed`. Idempotent on the
 * reaction's WAHA id; a reaction older than the reactor's current one is ignored. A reaction that
 * overtook its message is held under the message's advisory lock (the one CreateMessage takes) and
 * applied by CreateMessage, in WhatsApp-time order with the other held ones.
 */
@Injectable()
export class ReactToMessageHandler {
  constructor(
    private readonly messages: MessageRepository,
    private readonly held: HeldMessageEventRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly eventOutbox: EventOutbox,
    private readonly clock: Clock,
  ) {}

  async execute(command: ReactToMessageCommand): Promise<ReactToMessageResult> {
    assertUuid(command.tenantId, 'tenantId');
    assertUuid(command.channelId, 'channelId');
    const target = parseWaMessageId(command.targetExternalId, 'targetExternalId');
    const reaction = parseReaction({
      reactorId: command.reactorId,
      emoji: command.emoji,
      reactionExternalId: command.reactionExternalId,
      at: command.at,
    });
    const direction = target.fromMe ? 'outbound' : 'inbound';

    return this.unitOfWork.run(async () => {
      await this.messages.lockWaMessage(command.channelId, waMessageKey(target));
      // Read after the lock: a change that waited for its message's creation is never dated before it.
      const now = this.clock.now();
      const message = await this.messages.findByWaLocator(
        command.tenantId,
        command.channelId,
        { chatId: target.chatId, rawId: target.rawId, direction },
        { forUpdate: true },
      );
      if (!message) {
        const changed = await this.held.hold(
          {
            tenantId: command.tenantId,
            channelId: command.channelId,
            chatId: target.chatId,
            rawId: target.rawId,
            direction,
          },
          { kind: 'reaction', reaction },
          now,
        );
        return { outcome: 'held', changed };
      }
      const result = message.react(reaction, now);
      if (result.changed) {
        await this.messages.update(message);
        await this.eventOutbox.append(message.pullEvents());
      }
      return { outcome: result.state, changed: result.changed };
    });
  }
}
