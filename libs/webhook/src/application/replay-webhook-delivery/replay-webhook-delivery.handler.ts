import { Injectable } from '@nestjs/common';
import { Clock, UnitOfWork, assertUuid } from '@app/shared';
import { WebhookDeliveryRepository } from '../../domain/webhook-delivery.repository.port';
import {
  WebhookDeliveryNotFoundError,
  WebhookEventExpiredError,
  WebhookSubscriptionInactiveError,
  WebhookSubscriptionNotFoundError,
} from '../../domain/webhook.errors';
import { WebhookSubscriptionRepository } from '../../domain/webhook-subscription.repository.port';
import { WebhookDeliveryStarter } from '../webhook-delivery-starter.port';
import { WebhookEventSource } from '../webhook-event-source.port';
import { type WebhookDeliveryView, toWebhookDeliveryView } from '../webhook-delivery.view';
import { type ReplayWebhookDeliveryCommand } from './replay-webhook-delivery.command';

/**
 * Sends one delivery again, whatever its status: the row goes back to `pending` (attempts of the new
 * run from 0; the attempt log keeps the earlier ones) and a new run starts through the
 * WebhookDeliveryStarter with `replay: true`. The start happens inside the transaction that resets
 * the row, so a start that fails leaves the row as it was. Needs an active subscription and the
 * event still stored.
 */
@Injectable()
export class ReplayWebhookDeliveryHandler {
  constructor(
    private readonly subscriptions: WebhookSubscriptionRepository,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly events: WebhookEventSource,
    private readonly starter: WebhookDeliveryStarter,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  async execute(command: ReplayWebhookDeliveryCommand): Promise<WebhookDeliveryView> {
    assertUuid(command.id, 'id');
    return this.unitOfWork.run(async () => {
      const delivery = await this.deliveries.findByIdForUpdate(command.tenantId, command.id);
      if (!delivery) throw new WebhookDeliveryNotFoundError(command.id);
      const subscription = await this.subscriptions.findById(command.tenantId, delivery.subscriptionId);
      if (!subscription) throw new WebhookSubscriptionNotFoundError(delivery.subscriptionId);
      if (!subscription.isLive) throw new WebhookSubscriptionInactiveError(subscription.id);
      if ((await this.events.stored(command.tenantId, [delivery.eventId])).size === 0)
        throw new WebhookEventExpiredError(delivery.id, delivery.eventId);

      delivery.resetForReplay(this.clock.now());
      await this.deliveries.update(delivery);
      await this.starter.replay(delivery, subscription.maxAttempts);
      return toWebhookDeliveryView(delivery);
    });
  }
}
