export interface EnableWebhookSubscriptionCommand {
  tenantId: string;
  id: string;
}
