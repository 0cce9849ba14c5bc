export interface SendTestWebhookCommand {
  tenantId: string;
  id: string;
  /** Carried in `data.message`; a default text when absent. Up to 500 characters. */
  message?: string | null;
}
