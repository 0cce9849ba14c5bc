import { type WebhookDeliveryStatus } from '../../domain/webhook-delivery';

export interface ListWebhookDeliveriesQuery {
  tenantId: string;
  subscriptionId: string;
  status?: WebhookDeliveryStatus;
  /** 1 to 200; defaults to 50. */
  limit?: number;
  cursor?: string;
}
