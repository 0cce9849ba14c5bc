import { Injectable } from '@nestjs/common';
import { assertUuid } from '@app/shared';
import { WebhookSubscriptionNotFoundError } from '../../domain/webhook.errors';
import { WebhookSubscriptionRepository } from '../../domain/webhook-subscription.repository.port';
import { type WebhookSubscriptionView, toWebhookSubscriptionView } from '../webhook-subscription.view';
import { type GetWebhookSubscriptionQuery } from './get-webhook-subscription.query';

/** A live (not deleted) subscription of the tenant, without its secret. */
@Injectable()
export class GetWebhookSubscriptionHandler {
  constructor(private readonly subscriptions: WebhookSubscriptionRepository) {}

  async execute(query: GetWebhookSubscriptionQuery): Promise<WebhookSubscriptionView> {
    assertUuid(query.id, 'id');
    const subscription = await this.subscriptions.findById(query.tenantId, query.id);
    if (!subscription) throw new WebhookSubscriptionNotFoundError(query.id);
    return toWebhookSubscriptionView(subscription);
  }
}
