/** Ids only: never a URL, a header, a secret or a payload copy (histories are readable by operators). */
export interface WebhookDeliveryInput {
  tenantId: string;
  subscriptionId: string;
  eventId: string;
  deliveryId: string;
  /** From the subscription at fan-out time: attempts in total, those made before the run included. */
  maxAttempts: number;
  /** Attempts made before the run (the fan-out's inline first attempt; at most maxAttempts - 1): the
   *  run waits the schedule's next backoff, then continues it. Absent in runs started before inline
   *  attempts existed, and for runs that start from scratch (held releases, replays, a full cap). */
  attemptsMade?: number;
  /** The endpoint's Retry-After on the last of those attempts, in ms: replaces that first wait. */
  retryAfterMs?: number;
}

export interface WebhookDeliveryResult {
  deliveryId: string;
  status: 'delivered' | 'dead';
  attempts: number;
}

export interface DeliverWebhookResult {
  statusCode: number;
  /** The delivery's attempt number: the run's, after those made before it. */
  attempt: number;
}

/** Failure types of the deliver activity. */
export const PERMANENT_WEBHOOK_ERROR = 'PermanentWebhookError';
export const WEBHOOK_GONE = 'WebhookGoneError';
export const WEBHOOK_SUBSCRIPTION_INACTIVE = 'WebhookSubscriptionInactive';

export interface WebhookActivitiesContract {
  /** One signed POST. Records the attempt. 2xx → result; 410 → WebhookGoneError; other 4xx except
   *  408/429 → PermanentWebhookError (both non-retryable); 408, 429, 5xx, timeouts and network errors
   *  → retryable failure, with `nextRetryDelay` from Retry-After when given. */
  deliverWebhook(input: WebhookDeliveryInput): Promise<DeliverWebhookResult>;
  /** WebhookStatusUpdate: the delivery succeeded (status delivered, subscription failure count reset). */
  webhookStatusUpdate(input: { tenantId: string; deliveryId: string; statusCode: number }): Promise<void>;
  /** CompensateWebhook: final failure. Marks the delivery dead, counts the subscription's consecutive
   *  failure, disables it after N (or at once when gone), raises webhook.delivery_failed and
   *  webhook.subscription_disabled. */
  compensateWebhook(input: {
    tenantId: string;
    deliveryId: string;
    reason: string;
    gone: boolean;
  }): Promise<{ attempts: number }>;
}
