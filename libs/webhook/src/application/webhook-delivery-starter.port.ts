import { type WebhookDelivery } from '../domain/webhook-delivery';

/** What a delivery run needs: ids only, never a URL, a secret or a payload. */
export interface WebhookDeliveryStart {
  tenantId: string;
  subscriptionId: string;
  eventId: string;
  deliveryId: string;
  /** The subscription's maxAttempts when the run starts: attempts in total, the inline one included. */
  maxAttempts: number;
  /** Attempts already made before the run (the fan-out's inline first attempt): the run continues
   *  the retry schedule after them. Absent: none. */
  attemptsMade?: number;
  /** What the endpoint asked for in Retry-After on the last of those attempts: the run's first wait. */
  retryAfterMs?: number;
}

export interface WebhookDeliveryStartOptions {
  /** The row was reset to `pending` by a replay: a new run must start even though one ran (or
   *  runs) for the same delivery before. */
  replay: boolean;
}

/** Starts a delivery run for one delivery row (implemented with Temporal's WebhookDeliveryWorkflow,
 *  bound by the application). */
export abstract class WebhookDeliveryStarter {
  abstract start(input: WebhookDeliveryStart, options: WebhookDeliveryStartOptions): Promise<void>;

  /** A new run for a delivery a replay has just reset to `pending`. */
  replay(delivery: WebhookDelivery, maxAttempts: number): Promise<void> {
    const { tenantId, subscriptionId, eventId, id: deliveryId } = delivery;
    return this.start({ tenantId, subscriptionId, eventId, deliveryId, maxAttempts }, { replay: true });
  }
}
