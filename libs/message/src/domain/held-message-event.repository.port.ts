import { type MessageDirection } from './message-direction';
import { type HeldMessageEvent, type HeldMessageEventTarget } from './held-message-event';

/**
 * Revokes and reactions waiting for their message. Callers hold the message's lock
 * (MessageRepository.lockWaMessage; both directions' keys for a revoke) around hold/take.
 */
export abstract class HeldMessageEventRepository {
  /** Holds the event unless it is held already (one revoke per message, one reaction per reaction
   *  id). Returns whether this call stored it. Throws MessageReferenceNotFoundError (`channelId`)
   *  when the channel is not the tenant's. `heldAt` (our clock) is what the retention counts from. */
  abstract hold(target: HeldMessageEventTarget, event: HeldMessageEvent, heldAt: Date): Promise<boolean>;
  /** Removes and returns the events held for the tenant's message of this channel, chat, raw id and
   *  direction (including those that named no direction), in no particular order. */
  abstract take(
    tenantId: string,
    channelId: string,
    chatId: string,
    rawId: string,
    direction: MessageDirection,
  ): Promise<HeldMessageEvent[]>;
  /** Deletes events held since before `before` whose message never came (ignored chats, lost events). */
  abstract deleteHeldBefore(before: Date, limit: number): Promise<number>;
}
