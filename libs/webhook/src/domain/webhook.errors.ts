import { ConflictError, NotFoundError, RuleViolationError } from '@app/shared';

/** No live webhook subscription with this id in the tenant (deleted ones and other tenants' look the same). */
export class WebhookSubscriptionNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('webhook_subscription', id);
  }
}

/** No delivery with this id in the tenant. */
export class WebhookDeliveryNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('webhook_delivery', id);
  }
}

/** The subscription changed since it was read: optimistic concurrency check failed. */
export class WebhookSubscriptionVersionConflictError extends ConflictError {
  constructor(id: string, expectedVersion: number) {
    super(
      'WEBHOOK.VERSION_CONFLICT',
      `version: webhook subscription ${id} was modified concurrently (expected version ${expectedVersion})`,
      'version',
    );
  }
}

/** The operation needs an active subscription (test, replay); enable it first. */
export class WebhookSubscriptionInactiveError extends RuleViolationError {
  constructor(id: string) {
    super(
      'WEBHOOK.SUBSCRIPTION_INACTIVE',
      `webhook subscription ${id} is not active: enable it first (POST /v1/webhook-subscriptions/${id}/enable)`,
      'id',
    );
  }
}

/** The event of a delivery is no longer stored (the outbox keeps events for a limited time), so it
 *  cannot be sent again. */
export class WebhookEventExpiredError extends RuleViolationError {
  constructor(deliveryId: string, eventId: string) {
    super(
      'WEBHOOK.EVENT_EXPIRED',
      `delivery ${deliveryId}: event ${eventId} is no longer stored and cannot be replayed`,
      'id',
    );
  }
}

/** A stored signing secret cannot be decrypted: written under another SECRETS_ENCRYPTION_KEY, or
 *  tampered with. An operations problem, not a client error. */
export class WebhookSecretUnreadableError extends Error {
  constructor(readonly subscriptionId: string) {
    super(
      `webhook subscription ${subscriptionId}: the stored signing secret cannot be decrypted (was SECRETS_ENCRYPTION_KEY changed?)`,
    );
    this.name = new.target.name;
  }
}
