export interface RotateWebhookSubscriptionSecretCommand {
  tenantId: string;
  id: string;
}
