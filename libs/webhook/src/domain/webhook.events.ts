/** Outbox `type`s raised by the Webhook context (`aggregateType` is `webhook_subscription`). */
export const WebhookEventTypes = {
  test: 'webhook.test',
  deliveryFailed: 'webhook.delivery_failed',
  subscriptionDisabled: 'webhook.subscription_disabled',
} as const;
export type WebhookEventType = (typeof WebhookEventTypes)[keyof typeof WebhookEventTypes];

export const WEBHOOK_SUBSCRIPTION_AGGREGATE_TYPE = 'webhook_subscription';

/** `data` of `webhook.test`: delivered only to the subscription it names. */
export interface WebhookTestEventData {
  subscriptionId: string;
  message: string;
}

/** `data` of `webhook.delivery_failed`: one event could not be delivered to one subscription after
 *  all its attempts. Never delivered to the subscription it is about. */
export interface WebhookDeliveryFailedEventData {
  subscriptionId: string;
  deliveryId: string;
  /** Id of the event that was not delivered. */
  eventId: string;
  eventType: string;
  attempts: number;
  reason: string;
}

/** `data` of `webhook.subscription_disabled`: a subscription stopped receiving events (its endpoint
 *  answered 410 Gone, or too many deliveries in a row failed). Never delivered to itself. */
export interface WebhookSubscriptionDisabledEventData {
  subscriptionId: string;
  reason: string;
  consecutiveFailures: number;
}

/** Event types that tell about a subscription (`data.subscriptionId`) and so are never delivered to it. */
export const SELF_EXCLUDING_EVENT_TYPES: readonly string[] = [
  WebhookEventTypes.deliveryFailed,
  WebhookEventTypes.subscriptionDisabled,
];
