export interface GetWebhookSubscriptionQuery {
  tenantId: string;
  id: string;
}
