import { Inject, Injectable } from '@nestjs/common';
import { Clock, type DomainEvent, EventOutbox, UnitOfWork, ValidationError, assertUuid } from '@app/shared';
import { truncateError } from '../../domain/webhook-delivery';
import { webhookDeliveryFailedEvent } from '../../domain/webhook-delivery-failed.event';
import { WebhookDeliveryRepository } from '../../domain/webhook-delivery.repository.port';
import { SELF_EXCLUDING_EVENT_TYPES } from '../../domain/webhook.events';
import { WebhookDeliveryNotFoundError } from '../../domain/webhook.errors';
import { WebhookSubscriptionRepository } from '../../domain/webhook-subscription.repository.port';
import { type WebhookSettings, webhookConfig } from '../../webhook.config';
import { WebhookMetrics } from '../webhook.metrics';

export interface WebhookDeliveredInput {
  tenantId: string;
  deliveryId: string;
  statusCode: number;
}

export interface WebhookDeadLetteredInput {
  tenantId: string;
  deliveryId: string;
  /** Why the run gave up (kept as the delivery's last error and in `webhook.delivery_failed`). */
  reason: string;
  /** The endpoint answered 410 Gone: disable the subscription at once. */
  gone: boolean;
}

/**
 * The end of a delivery run, both ways. Each call is one transaction and safe to repeat (activities
 * run at least once): a second call finds the final status and changes nothing.
 */
@Injectable()
export class WebhookDeliveryOutcomeService {
  constructor(
    private readonly subscriptions: WebhookSubscriptionRepository,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly eventOutbox: EventOutbox,
    private readonly clock: Clock,
    @Inject(webhookConfig.KEY) private readonly config: Pick<WebhookSettings, 'disableAfterFailures'>,
  ) {}

  /** The run succeeded: delivery `delivered` (with delivered_at), the subscription's consecutive
   *  failure count back to 0. */
  async delivered(input: WebhookDeliveredInput): Promise<void> {
    assertUuid(input.deliveryId, 'deliveryId');
    if (!Number.isInteger(input.statusCode)) throw new ValidationError('statusCode', 'must be an HTTP status');
    await this.unitOfWork.run(async () => {
      const now = this.clock.now();
      const delivery = await this.deliveries.findByIdForUpdate(input.tenantId, input.deliveryId);
      if (!delivery) throw new WebhookDeliveryNotFoundError(input.deliveryId);
      delivery.markDelivered(input.statusCode, now);
      await this.deliveries.update(delivery);
      const subscription = await this.subscriptions.findAnyByIdForUpdate(input.tenantId, delivery.subscriptionId);
      if (subscription?.recordSuccessfulDelivery(now)) await this.subscriptions.update(subscription);
    });
  }

  /**
   * The run gave up (dead letter): delivery `dead`; when the subscription is live, one more
   * consecutive failure, disabled when `gone` or when the count reaches
   * WEBHOOK_DISABLE_AFTER_FAILURES; in the same transaction the outbox gets
   * `webhook.delivery_failed` (not for deliveries of failure notices themselves, which could
   * otherwise bounce between two failing endpoints) and, when it was disabled,
   * `webhook.subscription_disabled`. A paused, disabled or deleted subscription counts nothing and
   * raises nothing. A delivery already dead (or delivered) is left as it is. Answers the run's
   * attempts.
   */
  async deadLettered(input: WebhookDeadLetteredInput): Promise<{ attempts: number }> {
    assertUuid(input.deliveryId, 'deliveryId');
    const reason = truncateError(
      typeof input.reason === 'string' && input.reason.trim() ? input.reason.trim() : 'delivery failed',
    );
    let markedDead = false;
    const result = await this.unitOfWork.run(async () => {
      const now = this.clock.now();
      const delivery = await this.deliveries.findByIdForUpdate(input.tenantId, input.deliveryId);
      if (!delivery) throw new WebhookDeliveryNotFoundError(input.deliveryId);
      if (!delivery.markDead(reason, now)) return { attempts: delivery.attempts };
      markedDead = true;
      await this.deliveries.update(delivery);

      const subscription = await this.subscriptions.findAnyByIdForUpdate(input.tenantId, delivery.subscriptionId);
      if (subscription?.isLive) {
        subscription.recordFailedDelivery(
          { gone: input.gone === true, reason, disableAfter: this.config.disableAfterFailures },
          now,
        );
        await this.subscriptions.update(subscription);
        const events: DomainEvent[] = [];
        if (!SELF_EXCLUDING_EVENT_TYPES.includes(delivery.eventType))
          events.push(webhookDeliveryFailedEvent(delivery, reason, now));
        events.push(...subscription.pullEvents());
        await this.eventOutbox.append(events);
      }
      return { attempts: delivery.attempts };
    });
    if (markedDead) WebhookMetrics.deadLettered();
    return result;
  }
}
