export interface ReplayWebhookDeliveryCommand {
  tenantId: string;
  /** The delivery id. */
  id: string;
}
