export interface RotateWebhookSecretCommand {
  tenantId: string;
  id: string;
  /** The new secret; 32 random bytes (hex) are generated when absent. */
  webhookSecret?: string | null;
}
