import { type KeysetPosition, type Positioned } from '@app/shared';
import { type WebhookSubscription } from './webhook-subscription.aggregate';

export interface WebhookSubscriptionListCriteria {
  limit: number;
  /** Only subscriptions after this position in the (createdAt DESC, id DESC) order. */
  after?: KeysetPosition;
}

/**
 * Persistence of WebhookSubscription aggregates. Every read is scoped to a tenant; every method
 * joins the current unit of work when called inside one.
 */
export abstract class WebhookSubscriptionRepository {
  abstract insert(subscription: WebhookSubscription): Promise<void>;

  /** The subscription unless it is deleted, or null. */
  abstract findById(tenantId: string, id: string): Promise<WebhookSubscription | null>;

  /** Like findById, with the row locked until the unit of work ends. Needs a unit of work. */
  abstract findByIdForUpdate(tenantId: string, id: string): Promise<WebhookSubscription | null>;

  /** Locked like findByIdForUpdate, deleted ones included (delivery bookkeeping must still see them). */
  abstract findAnyByIdForUpdate(tenantId: string, id: string): Promise<WebhookSubscription | null>;

  /** Every active, not deleted subscription of the tenant (the fan-out candidates), oldest first. */
  abstract listLive(tenantId: string): Promise<WebhookSubscription[]>;

  /** Not deleted subscriptions of the tenant, newest first: (createdAt DESC, id DESC). */
  abstract list(
    tenantId: string,
    criteria: WebhookSubscriptionListCriteria,
  ): Promise<Positioned<WebhookSubscription>[]>;

  /** Stores the changes if the row still has the version it was read with; throws
   *  WebhookSubscriptionVersionConflictError or WebhookSubscriptionNotFoundError otherwise. */
  abstract update(subscription: WebhookSubscription): Promise<void>;
}
