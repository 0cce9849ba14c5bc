import { Injectable } from '@nestjs/common';
import { Clock, ValidationError, isUuid } from '@app/shared';
import { WebhookDeliveryRepository } from '../../domain/webhook-delivery.repository.port';
import { routesTo } from '../../domain/webhook-routing';
import { WebhookSubscriptionRepository } from '../../domain/webhook-subscription.repository.port';
import { WebhookEventTypes } from '../../domain/webhook.events';

/** The part of an outbox envelope the fan-out reads (an OutboxEnvelope fits). */
export interface WebhookFanOutEvent {
  id: string;
  type: string;
  tenantId: string;
  data: unknown;
}

/** One delivery to send: ids only (the attempt loads URL, secret and payload itself). */
export interface PlannedDelivery {
  subscriptionId: string;
  deliveryId: string;
  maxAttempts: number;
  /** Attempts its current run has recorded so far (0 for a new row). */
  attempts: number;
  /**
   * `inline`: a row this plan created, to an endpoint not marked failing: the fan-out may make its
   * first attempt itself. `run`: it needs a WebhookDeliveryWorkflow: the endpoint is failing (a
   * `webhook.test`, which is never held), or an earlier fan-out of the event created the row (its
   * inline attempt may have died with its process before recording anything; if its run is under
   * way, starting it again is a no-op).
   */
  start: 'inline' | 'run';
}

/**
 * Decides which subscriptions receive an event and creates their delivery rows. Safe to repeat for
 * the same event (the outbox is at-least-once): a delivery exists at most once per (subscription,
 * event), and a repeat answers the same delivery ids.
 */
@Injectable()
export class WebhookFanOutService {
  constructor(
    private readonly subscriptions: WebhookSubscriptionRepository,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly clock: Clock,
  ) {}

  /**
   * The deliveries of one event: one per active, not deleted subscription of the event's tenant
   * that the event routes to (see `routesTo`: filter, channel filter, `webhook.test` only to its
   * subscription, failure notices never to the failing subscription). Rows that exist already are
   * kept. Answers the deliveries to send, subscriptions in creation order: a delivery to an
   * endpoint that is failing is stored `held` and is not answered (the held-delivery release starts
   * it once the endpoint recovers, or as its probe), and neither is an existing row that is held,
   * delivered or dead; `webhook.test` (an operator's probe) is never held.
   */
  async plan(event: WebhookFanOutEvent): Promise<PlannedDelivery[]> {
    if (!isUuid(event.id)) throw new ValidationError('id', 'must be a UUID (the event id)');
    if (!isUuid(event.tenantId)) throw new ValidationError('tenantId', 'must be a UUID');
    if (typeof event.type !== 'string' || event.type.length === 0)
      throw new ValidationError('type', 'must be an event type');
    const data = isRecord(event.data) ? event.data : {};

    const targets = (await this.subscriptions.listLive(event.tenantId)).filter((subscription) =>
      routesTo(subscription, { type: event.type, data }),
    );
    if (targets.length === 0) return [];

    const now = this.clock.now();
    const stored = await this.deliveries.insertIfAbsent(
      targets.map((subscription) => ({
        tenantId: event.tenantId,
        subscriptionId: subscription.id,
        eventId: event.id,
        eventType: event.type,
        status: subscription.holdsNewDeliveries && event.type !== WebhookEventTypes.test ? 'held' : 'pending',
        createdAt: now,
      })),
    );
    return targets.flatMap((subscription) => {
      const delivery = stored.get(subscription.id);
      // Absent only if the subscription was hard-deleted meanwhile (its rows cascade away).
      if (!delivery || delivery.status === 'held' || delivery.status === 'delivered' || delivery.status === 'dead')
        return [];
      const start = delivery.created && !subscription.holdsNewDeliveries ? 'inline' : 'run';
      return [
        {
          subscriptionId: subscription.id,
          deliveryId: delivery.id,
          maxAttempts: subscription.maxAttempts,
          attempts: delivery.attempts,
          start,
        },
      ];
    });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
