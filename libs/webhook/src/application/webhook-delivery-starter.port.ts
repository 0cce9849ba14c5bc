/** What a delivery run needs: ids only, never a URL, a secret or a payload. */
export interface WebhookDeliveryStart {
  tenantId: string;
  subscriptionId: string;
  eventId: string;
  deliveryId: string;
  /** The subscription's maxAttempts when the run starts. */
  maxAttempts: number;
}

/**
 * Starts a delivery run for one delivery row (implemented with Temporal's WebhookDeliveryWorkflow,
 * bound by the application). `replay: true` means the row was reset to `pending` by a replay and a
 * new run must start even though one ran (or runs) for the same delivery before.
 */
export abstract class WebhookDeliveryStarter {
  abstract start(input: WebhookDeliveryStart, options: { replay: boolean }): Promise<void>;
}
