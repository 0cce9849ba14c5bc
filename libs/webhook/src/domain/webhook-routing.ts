import { eventFilterMatches } from './webhook-event-filter';
import { SELF_EXCLUDING_EVENT_TYPES, WebhookEventTypes } from './webhook.events';

/** What routing needs of a subscription. */
export interface RoutableSubscription {
  id: string;
  eventTypes: readonly string[];
  channelId: string | null;
}

/** What routing needs of an event. */
export interface RoutableEvent {
  type: string;
  data: Record<string, unknown>;
}

function sameId(a: unknown, b: string): boolean {
  return typeof a === 'string' && a.toLowerCase() === b.toLowerCase();
}

/**
 * Whether an event goes to a (live) subscription of its tenant:
 * - `webhook.test` goes only to the subscription in `data.subscriptionId`, whatever its filters;
 * - `webhook.delivery_failed` and `webhook.subscription_disabled` never go to the subscription they
 *   are about (`data.subscriptionId`);
 * - otherwise the event filter must match the type and, when the subscription has a channel
 *   filter, `data.channelId` must be that channel (events without a channel do not match it).
 */
export function routesTo(subscription: RoutableSubscription, event: RoutableEvent): boolean {
  if (event.type === WebhookEventTypes.test) return sameId(event.data.subscriptionId, subscription.id);
  if (SELF_EXCLUDING_EVENT_TYPES.includes(event.type) && sameId(event.data.subscriptionId, subscription.id))
    return false;
  if (!eventFilterMatches(subscription.eventTypes, event.type)) return false;
  if (subscription.channelId !== null && !sameId(event.data.channelId, subscription.channelId)) return false;
  return true;
}
