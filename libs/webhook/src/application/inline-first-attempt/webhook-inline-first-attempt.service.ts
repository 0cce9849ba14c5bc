import { Inject, Injectable } from '@nestjs/common';
import { Clock, UnitOfWork } from '@app/shared';
import { WebhookDeliveryRepository } from '../../domain/webhook-delivery.repository.port';
import { WebhookDeliveryNotFoundError } from '../../domain/webhook.errors';
import { type WebhookSettings, webhookConfig } from '../../webhook.config';
import { WebhookDeliveryOutcomeService } from '../delivery-outcome/webhook-delivery-outcome.service';
import {
  type WebhookDeliverResult,
  WebhookDispatchService,
  describeFailedAttempt,
} from '../dispatch/webhook-dispatch.service';
import {
  type PlannedDelivery,
  type WebhookFanOutEvent,
  WebhookFanOutService,
} from '../fan-out/webhook-fan-out.service';
import { type WebhookDeliveryStart, WebhookDeliveryStarter } from '../webhook-delivery-starter.port';
import { KeyedConcurrencyLimit } from './keyed-concurrency-limit';

/**
 * How one planned delivery went: `delivered` inline (no workflow); `dead-lettered` inline (a final
 * answer: 410, another refusing 4xx, the subscription no longer live, or a retryable failure with
 * no attempt left); `run-started`: a WebhookDeliveryWorkflow carries on (or already did: starting
 * it again is a no-op); `held`: it waited for a slot behind attempts that ran out of time, so it is
 * held with the endpoint's other new deliveries (no attempt, no run; the held-delivery release starts
 * it); `vanished`: the row went away meanwhile (its subscription was deleted).
 */
export type InlineFirstAttemptOutcome = 'delivered' | 'dead-lettered' | 'run-started' | 'held' | 'vanished';

export interface InlineFirstAttemptResult {
  subscriptionId: string;
  deliveryId: string;
  outcome: InlineFirstAttemptOutcome;
  /** Whether this call made an attempt itself (false: held back by the per-subscription cap, or the
   *  plan asked for a run). */
  attemptedInline: boolean;
}

/**
 * Sends an event's webhooks with no workflow on the happy path: plans the deliveries (rows created
 * before anything is sent) and makes each new delivery's first attempt here, through the same
 * WebhookDispatchService attempt a workflow makes (signing, attempt log, classification, endpoint
 * health, success bookkeeping), within WEBHOOK_INLINE_ATTEMPT_TIMEOUT_MS. A WebhookDeliveryWorkflow
 * starts only when that attempt fails in a way worth retrying (it continues the retry schedule with
 * the attempt counted), when WEBHOOK_INLINE_MAX_PER_SUBSCRIPTION attempts to the subscription stay
 * in flight in this process for WEBHOOK_INLINE_SLOT_WAIT_MS (a burst to a fast endpoint waits its
 * turn and stays inline), or when the plan asks for a run (failing endpoint, or a row an earlier
 * fan-out created). Held deliveries get neither.
 *
 * A hanging endpoint: an inline attempt that runs out of its budget while other deliveries to the
 * same subscription wait for a slot marks the endpoint failing (a lone slow answer does not: it may
 * just be slow), so the fan-outs after it hold its new deliveries; the ones queued in this process
 * before then are held too. A dead endpoint thus costs a few timed-out attempts and their runs, not a
 * workflow per event (the outbox relay does not wait for those attempts either: see
 * OUTBOX_PUBLISH_WAIT_MS).
 *
 * At-least-once: an attempt that throws (e.g. its record failed after the POST went out) leaves the
 * row `pending` with nothing recorded, and the call fails, so the outbox publishes the event again;
 * that fan-out finds the row it created before and starts its run, which sends the same `webhook-id`
 * (the event id). A process that dies mid-attempt ends the same way once its outbox lease runs out.
 */
@Injectable()
export class WebhookInlineFirstAttemptService {
  private readonly inFlight: KeyedConcurrencyLimit;
  /** When (epoch ms) an inline attempt to the subscription last ran out of time with deliveries
   *  queued behind it: the deliveries queued before then are held. */
  private readonly backlogTimedOutAt = new Map<string, number>();

  constructor(
    private readonly fanOut: WebhookFanOutService,
    private readonly dispatch: WebhookDispatchService,
    private readonly outcomes: WebhookDeliveryOutcomeService,
    private readonly starter: WebhookDeliveryStarter,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
    @Inject(webhookConfig.KEY)
    private readonly config: Pick<
      WebhookSettings,
      'inlineAttemptTimeoutMs' | 'inlineMaxPerSubscription' | 'inlineSlotWaitMs'
    >,
  ) {
    this.inFlight = new KeyedConcurrencyLimit(config.inlineMaxPerSubscription);
  }

  /** Sends the event to every subscription it routes to. Fails (after every delivery has had its
   *  turn) when any of them could not be attempted or handed to a run. */
  async deliver(event: WebhookFanOutEvent): Promise<InlineFirstAttemptResult[]> {
    const planned = await this.fanOut.plan(event);
    const settled = await Promise.allSettled(planned.map((delivery) => this.deliverOne(event, delivery)));
    const failed = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
    if (failed.length > 0) {
      const first = failed[0] instanceof Error ? failed[0].message : String(failed[0]);
      throw new Error(
        `${failed.length} of ${planned.length} webhook deliveries of event ${event.id} were not sent: ${first}`,
        { cause: failed[0] },
      );
    }
    return settled.map((s) => (s as PromiseFulfilledResult<InlineFirstAttemptResult>).value);
  }

  private async deliverOne(event: WebhookFanOutEvent, delivery: PlannedDelivery): Promise<InlineFirstAttemptResult> {
    const start: WebhookDeliveryStart = {
      tenantId: event.tenantId,
      subscriptionId: delivery.subscriptionId,
      eventId: event.id,
      deliveryId: delivery.deliveryId,
      maxAttempts: delivery.maxAttempts,
    };
    const result = (outcome: InlineFirstAttemptOutcome, attemptedInline: boolean): InlineFirstAttemptResult => ({
      subscriptionId: delivery.subscriptionId,
      deliveryId: delivery.deliveryId,
      outcome,
      attemptedInline,
    });

    if (delivery.start === 'run') {
      // Attempts a crashed process recorded before it could start the run count; one stays for the run.
      const attemptsMade = Math.min(delivery.attempts, delivery.maxAttempts - 1);
      await this.starter.start(attemptsMade > 0 ? { ...start, attemptsMade } : start, { replay: false });
      return result('run-started', false);
    }

    const queuedAt = this.clock.now().getTime();
    const release = await this.inFlight.acquire(delivery.subscriptionId, this.config.inlineSlotWaitMs);
    if (!release) {
      await this.starter.start(start, { replay: false });
      return result('run-started', false);
    }
    if ((this.backlogTimedOutAt.get(delivery.subscriptionId) ?? -Infinity) >= queuedAt) {
      release();
      return result((await this.holdBack(event.tenantId, delivery.deliveryId)) ? 'held' : 'vanished', false);
    }
    let attempt: WebhookDeliverResult;
    try {
      attempt = await this.dispatch.deliver(
        { ...start, attempt: 1, timeoutMs: this.config.inlineAttemptTimeoutMs },
        { shortTimeoutMarksFailing: () => this.backlogBehindTimeout(delivery.subscriptionId) },
      );
    } catch (err) {
      if (err instanceof WebhookDeliveryNotFoundError) return result('vanished', true);
      throw err;
    } finally {
      release();
    }

    if (attempt.outcome === 'delivered') {
      this.backlogTimedOutAt.delete(delivery.subscriptionId);
      return result('delivered', true);
    }
    if (attempt.outcome === 'retryable' && delivery.maxAttempts > 1) {
      await this.starter.start(
        { ...start, attemptsMade: 1, ...(attempt.retryAfterMs !== null ? { retryAfterMs: attempt.retryAfterMs } : {}) },
        { replay: false },
      );
      return result('run-started', true);
    }
    // A final answer: the dead letter a run would write after this attempt, written here.
    await this.outcomes.deadLettered({
      tenantId: event.tenantId,
      deliveryId: delivery.deliveryId,
      reason: describeFailedAttempt(attempt),
      gone: attempt.outcome === 'gone',
    });
    return result('dead-lettered', true);
  }

  /** Asked when an inline attempt ran out of its budget: with deliveries to the subscription queued
   *  behind it, the endpoint counts as failing and those deliveries are held. */
  private backlogBehindTimeout(subscriptionId: string): boolean {
    if (this.inFlight.waiting(subscriptionId) === 0) return false;
    this.backlogTimedOutAt.set(subscriptionId, this.clock.now().getTime());
    return true;
  }

  /** Holds a delivery that was never attempted. False when it is gone or was attempted meanwhile
   *  (another fan-out's run took it: nothing left to do here). */
  private holdBack(tenantId: string, deliveryId: string): Promise<boolean> {
    return this.unitOfWork.run(async () => {
      const row = await this.deliveries.findByIdForUpdate(tenantId, deliveryId);
      if (!row?.hold(this.clock.now())) return false;
      await this.deliveries.update(row);
      return true;
    });
  }
}
