export interface DeleteWebhookSubscriptionCommand {
  tenantId: string;
  id: string;
}
