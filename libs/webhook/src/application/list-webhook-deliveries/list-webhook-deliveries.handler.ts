import { Injectable } from '@nestjs/common';
import { type Page, ValidationError, assertUuid, keysetAfter, pageLimit, toPage } from '@app/shared';
import { WEBHOOK_DELIVERY_STATUSES, isWebhookDeliveryStatus } from '../../domain/webhook-delivery';
import { WebhookDeliveryRepository } from '../../domain/webhook-delivery.repository.port';
import { WebhookSubscriptionNotFoundError } from '../../domain/webhook.errors';
import { WebhookSubscriptionRepository } from '../../domain/webhook-subscription.repository.port';

import {
  type WebhookDeliveryWithAttemptsView,
  toWebhookDeliveryAttemptView,
  toWebhookDeliveryView,
} from '../webhook-delivery.view';
import { type ListWebhookDeliveriesQuery } from './list-webhook-deliveries.query';

/** Deliveries of one live subscription, newest first, each with its full attempt log. */
@Injectable()
export class ListWebhookDeliveriesHandler {
  constructor(
    private readonly subscriptions: WebhookSubscriptionRepository,
    private readonly deliveries: WebhookDeliveryRepository,
  ) {}

  async execute(query: ListWebhookDeliveriesQuery): Promise<Page<WebhookDeliveryWithAttemptsView>> {
    assertUuid(query.subscriptionId, 'id');
    if (query.status !== undefined && !isWebhookDeliveryStatus(query.status)) {
      throw new ValidationError('status', `must be one of ${WEBHOOK_DELIVERY_STATUSES.join(', ')}`);
    }
    const limit = pageLimit(query.limit);
    const after = keysetAfter(query.cursor);
    if (!(await this.subscriptions.findById(query.tenantId, query.subscriptionId)))
      throw new WebhookSubscriptionNotFoundError(query.subscriptionId);
    const rows = await this.deliveries.listForSubscription(query.tenantId, query.subscriptionId, {
      status: query.status,
      limit: limit + 1,
      after,
    });
    return toPage(rows, limit, (row) => ({
      ...toWebhookDeliveryView(row.delivery),
      attemptLog: row.attemptLog.map(toWebhookDeliveryAttemptView),
    }));
  }
}
