import { Injectable } from '@nestjs/common';
import { type Page, keysetAfter, pageLimit, toPage } from '@app/shared';
import { WebhookSubscriptionRepository } from '../../domain/webhook-subscription.repository.port';

import { type WebhookSubscriptionView, toWebhookSubscriptionView } from '../webhook-subscription.view';
import { type ListWebhookSubscriptionsQuery } from './list-webhook-subscriptions.query';

/** The tenant's subscriptions (deleted ones excluded), newest first, one keyset page at a time. */
@Injectable()
export class ListWebhookSubscriptionsHandler {
  constructor(private readonly subscriptions: WebhookSubscriptionRepository) {}

  async execute(query: ListWebhookSubscriptionsQuery): Promise<Page<WebhookSubscriptionView>> {
    const limit = pageLimit(query.limit);
    const rows = await this.subscriptions.list(query.tenantId, { limit: limit + 1, after: keysetAfter(query.cursor) });
    return toPage(rows, limit, toWebhookSubscriptionView);
  }
}
