import { Injectable } from '@nestjs/common';
import { Clock, UnitOfWork, ValidationError } from '@app/shared';
import { WebhookDeliveryRepository } from '../../domain/webhook-delivery.repository.port';
import { type WebhookSubscription } from '../../domain/webhook-subscription.aggregate';
import { WebhookSubscriptionRepository } from '../../domain/webhook-subscription.repository.port';
import { WebhookDeliveryStarter } from '../webhook-delivery-starter.port';

export interface ReleaseHeldWebhookDeliveriesResult {
  /** Live subscriptions with held deliveries that were looked at. */
  subscriptions: number;
  /** Held deliveries started because their endpoint is no longer failing. */
  released: number;
  /** Held deliveries started as the one probe of a failing endpoint. */
  probes: number;
}

/** Subscriptions with held deliveries looked at per sweep. */
const SUBSCRIPTIONS_PER_SWEEP = 500;
/** Held rows released per transaction (their runs start inside it). */
const RELEASE_PAGE_SIZE = 100;
/**
 * A pending or failed delivery that has not changed for this long (and waits on no Retry-After) no
 * longer counts as a run under way: its run is gone (terminated by hand, or lost). Longer than the
 * longest retry interval (5 minutes) plus an attempt (at most 1 minute), so a retrying run always
 * counts.
 */
export const WEBHOOK_RUN_SILENCE_MS = 15 * 60_000;

/**
 * Starts held deliveries (the sweep of the `webhook-held-release` Schedule). A subscription whose
 * endpoint is failing gets its new deliveries `held`, without a run; here, per live subscription
 * with held deliveries, oldest first:
 * - endpoint no longer failing (a success, `enable` or `PATCH active: true` cleared the mark): its
 *   held deliveries are released, oldest first, up to the sweep's batch size;
 * - endpoint still failing and no run of its deliveries under way: the oldest one is released as
 *   the probe. Its run retries on the normal policy; its success clears the mark (the next sweep
 *   releases the rest), its dead letter counts towards disabling the subscription and the next
 *   sweep sends the next probe.
 * Paused, disabled and deleted subscriptions keep theirs held (released once enabled again).
 * Releasing is a transaction per page that moves the rows to `pending` and starts their runs, as a
 * replay does: a start that fails leaves the page held for the next sweep, and a run's first
 * attempt waits on the row lock for the commit.
 */
@Injectable()
export class WebhookHeldDeliveryReleaseService {
  constructor(
    private readonly subscriptions: WebhookSubscriptionRepository,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly starter: WebhookDeliveryStarter,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  async release(input: { batchSize: number }): Promise<ReleaseHeldWebhookDeliveriesResult> {
    if (!Number.isInteger(input.batchSize) || input.batchSize < 1 || input.batchSize > 10_000) {
      throw new ValidationError('batchSize', 'must be an integer from 1 to 10000');
    }
    const result: ReleaseHeldWebhookDeliveriesResult = { subscriptions: 0, released: 0, probes: 0 };
    let budget = input.batchSize;
    for (const candidate of await this.deliveries.listSubscriptionsWithHeld(SUBSCRIPTIONS_PER_SWEEP)) {
      if (budget === 0) break;
      const subscription = await this.subscriptions.findById(candidate.tenantId, candidate.subscriptionId);
      if (!subscription?.isLive) continue;
      result.subscriptions += 1;
      if (!subscription.holdsNewDeliveries) {
        for (let page = Math.min(budget, RELEASE_PAGE_SIZE); page > 0; page = Math.min(budget, RELEASE_PAGE_SIZE)) {
          const released = await this.releaseOldest(subscription, page);
          result.released += released;
          budget -= released;
          if (released < page) break;
        }
      } else {
        const silentBefore = new Date(this.clock.now().getTime() - WEBHOOK_RUN_SILENCE_MS);
        if (await this.deliveries.hasRunUnderWay(subscription.tenantId, subscription.id, silentBefore)) continue;
        const probes = await this.releaseOldest(subscription, 1);
        result.probes += probes;
        budget -= probes;
      }
    }
    return result;
  }

  /** Moves up to `limit` of the subscription's oldest held deliveries to `pending` and starts their
   *  runs, in one transaction. Returns how many. */
  private releaseOldest(subscription: WebhookSubscription, limit: number): Promise<number> {
    return this.unitOfWork.run(async () => {
      const held = await this.deliveries.lockOldestHeld(subscription.tenantId, subscription.id, limit);
      const now = this.clock.now();
      for (const delivery of held) {
        delivery.release(now);
        await this.deliveries.update(delivery);
      }
      const { tenantId, id: subscriptionId, maxAttempts } = subscription;
      await Promise.all(
        held.map((delivery) =>
          this.starter.start(
            { tenantId, subscriptionId, eventId: delivery.eventId, deliveryId: delivery.id, maxAttempts },
            { replay: false },
          ),
        ),
      );
      return held.length;
    });
  }
}
