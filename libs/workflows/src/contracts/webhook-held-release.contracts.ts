export interface WebhookHeldReleaseInput {
  /** Held deliveries started per run at most (probes included). */
  batchSize: number;
}

export interface WebhookHeldReleaseResult {
  /** Live subscriptions with held deliveries that were looked at. */
  subscriptions: number;
  /** Held deliveries started because their endpoint is no longer failing. */
  released: number;
  /** Held deliveries started as the one probe of a failing endpoint. */
  probes: number;
}

export interface WebhookHeldReleaseActivitiesContract {
  releaseHeldWebhookDeliveries(input: WebhookHeldReleaseInput): Promise<WebhookHeldReleaseResult>;
}
