import { type MessageDirection } from './message-direction';
import { type Message, type Reaction } from './message.aggregate';

/**
 * A revoke or a reaction that arrived before its message (WAHA does not order events). It is held,
 * durably, and applied when the message is created, with the events it would have raised then.
 */
export type HeldMessageEvent = { kind: 'revoke'; at: Date } | { kind: 'reaction'; reaction: Reaction };

/** The message a held event waits for. */
export interface HeldMessageEventTarget {
  tenantId: string;
  channelId: string;
  /** 2nd segment of the message's WAHA id. */
  chatId: string;
  /** 3rd segment of the message's WAHA id. */
  rawId: string;
  /** The message's direction (its `fromMe`); null when the event does not say (a revoke names only
   *  chat and raw id), and then it applies to the message of either direction. */
  direction: MessageDirection | null;
}

/** WhatsApp time of a held event: what orders them. */
export function heldEventTime(event: HeldMessageEvent): Date {
  return event.kind === 'revoke' ? event.at : event.reaction.at;
}

/**
 * Applies held events to a message in WhatsApp-time order (so a removal or a replacing reaction
 * that overtook the reaction it undoes still wins), a revoke after reactions of the same instant.
 * Each raises what it raises on a stored message: `message.reaction_added`/`_removed`,
 * `message.revoked`. Duplicates were dropped when they were held; `react` ignores stale reactions.
 */
export function applyHeldEvents(message: Message, events: readonly HeldMessageEvent[], now: Date): void {
  const ordered = [...events].sort((a, b) => heldEventTime(a).getTime() - heldEventTime(b).getTime() || tieBreak(a, b));
  for (const event of ordered) {
    if (event.kind === 'revoke') message.revoke(event.at, now);
    else message.react(event.reaction, now);
  }
}

/** Same WhatsApp time: reactions before the revoke, reactions by their WAHA id, so the outcome does
 *  not depend on the order the store hands them back in. */
function tieBreak(a: HeldMessageEvent, b: HeldMessageEvent): number {
  if (a.kind !== b.kind) return a.kind === 'revoke' ? 1 : -1;
  if (a.kind === 'reaction' && b.kind === 'reaction')
    return a.reaction.reactionExternalId.localeCompare(b.reaction.reactionExternalId);
  return 0;
}
