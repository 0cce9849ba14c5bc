import { Injectable } from '@nestjs/common';
import { Clock, UnitOfWork, assertUuid } from '@app/shared';
import { WebhookSubscriptionNotFoundError } from '../../domain/webhook.errors';
import { WebhookSubscriptionRepository } from '../../domain/webhook-subscription.repository.port';
import { type WebhookSubscriptionView, toWebhookSubscriptionView } from '../webhook-subscription.view';
import { type EnableWebhookSubscriptionCommand } from './enable-webhook-subscription.command';

/** Re-enables a subscription (after it was disabled or paused): active, failure count reset,
 *  disabled mark cleared. Events raised meanwhile are not sent; replay them with
 *  ReplayFailedWebhookDeliveriesHandler. Enabling an enabled subscription changes nothing. */
@Injectable()
export class EnableWebhookSubscriptionHandler {
  constructor(
    private readonly subscriptions: WebhookSubscriptionRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  async execute(command: EnableWebhookSubscriptionCommand): Promise<WebhookSubscriptionView> {
    assertUuid(command.id, 'id');
    return this.unitOfWork.run(async () => {
      const subscription = await this.subscriptions.findByIdForUpdate(command.tenantId, command.id);
      if (!subscription) throw new WebhookSubscriptionNotFoundError(command.id);
      if (subscription.enable(this.clock.now())) await this.subscriptions.update(subscription);
      return toWebhookSubscriptionView(subscription);
    });
  }
}
