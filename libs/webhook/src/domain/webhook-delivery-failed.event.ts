import { type DomainEvent, newEventId } from '@app/shared';
import { type WebhookDelivery } from './webhook-delivery';
import {
  WEBHOOK_SUBSCRIPTION_AGGREGATE_TYPE,
  type WebhookDeliveryFailedEventData,
  WebhookEventTypes,
} from './webhook.events';

/** `webhook.delivery_failed` for a delivery that was just dead-lettered (aggregate: its subscription). */
export function webhookDeliveryFailedEvent(delivery: WebhookDelivery, reason: string, at: Date): DomainEvent {
  const data: WebhookDeliveryFailedEventData = {
    subscriptionId: delivery.subscriptionId,
    deliveryId: delivery.id,
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    attempts: delivery.attempts,
    reason,
  };
  return {
    id: newEventId(),
    type: WebhookEventTypes.deliveryFailed,
    occurredAt: at,
    tenantId: delivery.tenantId,
    aggregateType: WEBHOOK_SUBSCRIPTION_AGGREGATE_TYPE,
    aggregateId: delivery.subscriptionId,
    data: data as unknown as Record<string, unknown>,
  };
}
