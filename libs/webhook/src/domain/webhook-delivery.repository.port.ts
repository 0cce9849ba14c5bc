import { type KeysetPosition, type Positioned } from '@app/shared';
import { type WebhookDelivery, type WebhookDeliveryAttempt, type WebhookDeliveryStatus } from './webhook-delivery';

/** A delivery to create for an event: at most one per (subscription, event). `held` when its
 *  endpoint is failing (no run starts for it now), `pending` otherwise. */
export interface NewWebhookDelivery {
  tenantId: string;
  subscriptionId: string;
  eventId: string;
  eventType: string;
  status: Extract<WebhookDeliveryStatus, 'pending' | 'held'>;
  createdAt: Date;
}

/** A delivery row's id and state, as the fan-out sees it after inserting. */
export interface StoredWebhookDeliveryRef {
  id: string;
  status: WebhookDeliveryStatus;
  /** Attempts recorded in its current run. */
  attempts: number;
  /** Inserted by this call (false: it existed, or a concurrent call inserted it). */
  created: boolean;
}

/** A live subscription that has held deliveries (a release candidate). */
export interface SubscriptionWithHeldDeliveries {
  tenantId: string;
  subscriptionId: string;
}

export interface WebhookDeliveryListCriteria {
  status?: WebhookDeliveryStatus;
  limit: number;
  /** Only deliveries after this position in the (createdAt DESC, id DESC) order. */
  after?: KeysetPosition;
}

export interface WebhookDeliveryWithAttempts {
  delivery: WebhookDelivery;
  /** Oldest first. */
  attemptLog: WebhookDeliveryAttempt[];
}

/** Persistence of deliveries and their attempt log. Reads are tenant-scoped, except the release
 *  sweep's listSubscriptionsWithHeld, which looks across tenants. */
export abstract class WebhookDeliveryRepository {
  /**
   * Creates the deliveries that do not exist yet (unique per subscription and event; existing ones
   * are left as they are) and answers the id and state of each one, new or existing, by
   * subscription id.
   */
  abstract insertIfAbsent(deliveries: NewWebhookDelivery[]): Promise<Map<string, StoredWebhookDeliveryRef>>;

  /** Active, not deleted subscriptions (of every tenant) with at least one held delivery, at most
   *  `limit`, those holding the oldest delivery first. */
  abstract listSubscriptionsWithHeld(limit: number): Promise<SubscriptionWithHeldDeliveries[]>;

  /** The oldest held deliveries of a subscription, at most `limit`, locked until the unit of work
   *  ends; rows another transaction holds are skipped. Needs a unit of work. */
  abstract lockOldestHeld(tenantId: string, subscriptionId: string, limit: number): Promise<WebhookDelivery[]>;

  /** Whether a delivery of the subscription is pending or failed (its run is under way) and changed,
   *  or has a Retry-After wait ending, at or after `since`. */
  abstract hasRunUnderWay(tenantId: string, subscriptionId: string, since: Date): Promise<boolean>;

  /** Locked until the unit of work ends. Needs a unit of work. */
  abstract findByIdForUpdate(tenantId: string, id: string): Promise<WebhookDelivery | null>;

  /** Stores the delivery's state (status, attempts, last result, times). */
  abstract update(delivery: WebhookDelivery): Promise<void>;

  /** Appends one attempt to the log, numbered after the last one of the delivery (numbers keep
   *  growing across replays). Call with the delivery locked. Returns the attempt's number. */
  abstract appendAttempt(deliveryId: string, attempt: Omit<WebhookDeliveryAttempt, 'attempt'>): Promise<number>;

  /** Deliveries of one subscription, newest first, with their attempt logs. */
  abstract listForSubscription(
    tenantId: string,
    subscriptionId: string,
    criteria: WebhookDeliveryListCriteria,
  ): Promise<Positioned<WebhookDeliveryWithAttempts>[]>;

  /** Failed or dead deliveries of a subscription last changed at or after `since`, in
   *  (updatedAt, id) order, after the given position when one is given. */
  abstract listFailedSince(
    tenantId: string,
    subscriptionId: string,
    since: Date,
    limit: number,
    after?: { updatedAt: Date; id: string },
  ): Promise<WebhookDelivery[]>;
}
