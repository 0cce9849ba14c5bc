import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Clock, inStoredTraceContext, waitAtMost } from '@app/shared';
import { afterFailedAttempt, OutboxEventRecord } from '../domain/outbox-event';
import { outboxConfig, OutboxConfig } from '../outbox.config';
import { OutboxPublisherRegistry } from './outbox-publisher';
import { OutboxCounts, OutboxRepository } from './outbox.repository.port';
import { OutboxMetrics } from './outbox.metrics';

export interface RelayBatchResult {
  claimed: number;
  /** Published, failed and dead: the outcomes recorded before the call returned. */
  published: number;
  failed: number;
  dead: number;
  /** Publishes still running after OUTBOX_PUBLISH_WAIT_MS: they record their own outcome later. */
  detached: number;
}

interface PublishOutcome {
  event: OutboxEventRecord;
  error: unknown;
}

/** How long a stopping process waits for its detached publishes to record their outcome. */
const DETACHED_DRAIN_ON_SHUTDOWN_MS = 15_000;

/** Moves events out of the outbox: claim, publish, record the outcome. A batch waits at most
 *  OUTBOX_PUBLISH_WAIT_MS for its publishes; the slower ones go on detached (see `detach`). */
@Injectable()
export class OutboxRelayService implements OnModuleDestroy {
  private readonly logger = new Logger(OutboxRelayService.name);
  private readonly detached = new Set<Promise<void>>();
  private detachedPublishes = 0;

  constructor(
    private readonly repository: OutboxRepository,
    private readonly publishers: OutboxPublisherRegistry,
    private readonly clock: Clock,
    @Inject(outboxConfig.KEY) private readonly config: OutboxConfig,
  ) {}

  processPending(batchSize: number): Promise<RelayBatchResult> {
    return this.relay('pending', batchSize);
  }

  /** Retries failed events whose backoff has elapsed. */
  processFailed(batchSize: number): Promise<RelayBatchResult> {
    return this.relay('failed', batchSize);
  }

  /** Publishes the pending events of one correlation id (a saga run, a request) right away, instead
   *  of waiting for the relay; the claim makes it safe alongside the relay. */
  processCorrelated(correlationId: string, limit = 100): Promise<RelayBatchResult> {
    return this.relay('pending', limit, correlationId);
  }

  async cleanup(batchSize: number, retentionMs = this.config.retentionMs): Promise<{ deleted: number }> {
    const before = new Date(this.clock.now().getTime() - retentionMs);
    let deleted = 0;
    // Bounded batches keep each delete short; stop when a batch comes back partial.
    for (;;) {
      const n = await this.repository.deletePublishedBefore(before, batchSize);
      deleted += n;
      if (n < batchSize) return { deleted };
    }
  }

  metrics(): Promise<OutboxCounts> {
    return this.repository.counts();
  }

  private async relay(
    status: 'pending' | 'failed',
    batchSize: number,
    correlationId?: string,
  ): Promise<RelayBatchResult> {
    await this.roomToDetach(batchSize);
    const { token, events } = await this.repository.claimDue(status, batchSize, this.config.leaseMs, correlationId);
    const settled: (PublishOutcome | undefined)[] = new Array(events.length);
    const publishes = events.map((event, i) =>
      this.publishTraced(event).then(
        () => (settled[i] = { event, error: null }),
        (error: unknown) => (settled[i] = { event, error: error ?? new Error('publish failed') }),
      ),
    );
    const everyPublish = Promise.all(publishes);
    if (this.config.maxDetachedPublishes > 0 && events.length > 0) {
      await waitAtMost(everyPublish, this.config.publishWaitMs);
    } else {
      await everyPublish;
    }
    const finished = settled.filter((outcome): outcome is PublishOutcome => outcome !== undefined);
    const recorded = await this.recordOutcomes(finished, token);
    const stragglers = publishes.filter((_, i) => settled[i] === undefined);
    if (stragglers.length > 0) this.detach(stragglers, token);
    return { claimed: events.length, ...recorded, detached: stragglers.length };
  }

  /** Publishes in a span continuing the trace that raised the event (one trace from the WAHA POST to
   *  the webhook delivery, whichever process relays it). */
  private publishTraced(event: OutboxEventRecord): Promise<void> {
    const { id, type } = event.envelope;
    return inStoredTraceContext(
      `outbox publish ${type}`,
      event.traceContext ?? null,
      { 'outbox.event_id': id, 'outbox.event_type': type },
      () => this.publishers.publish(event.envelope),
    );
  }

  /** Lets publishes still running after the batch's wait finish on their own; their outcome is
   *  recorded under the same claim when the last of them settles. A process that dies first leaves
   *  them claimed until the lease runs out, and the next claim publishes them again. */
  private detach(publishes: Promise<PublishOutcome>[], token: string): void {
    const group = Promise.all(publishes)
      .then((outcomes) => this.recordOutcomes(outcomes, token))
      .then(
        () => undefined,
        (error: unknown) =>
          this.logger.warn(
            { err: error, events: publishes.length },
            'outbox: recording detached publishes failed; the claim lease will hand them out again',
          ),
      )
      .finally(() => {
        this.detached.delete(group);
        this.detachedPublishes -= publishes.length;
      });
    this.detached.add(group);
    this.detachedPublishes += publishes.length;
  }

  /** Waits until a full batch may run detached without passing OUTBOX_MAX_DETACHED_PUBLISHES. */
  private async roomToDetach(batchSize: number): Promise<void> {
    while (this.detached.size > 0 && this.detachedPublishes + batchSize > this.config.maxDetachedPublishes) {
      await Promise.race(this.detached);
    }
  }

  /** Waits (at most `maxWaitMs`) for the detached publishes of this process to record their outcome:
   *  on shutdown, so a clean stop leaves nothing for the lease to recover. */
  async drainDetached(maxWaitMs: number): Promise<void> {
    await waitAtMost(Promise.allSettled([...this.detached]), maxWaitMs);
  }

  onModuleDestroy(): Promise<void> {
    return this.drainDetached(DETACHED_DRAIN_ON_SHUTDOWN_MS);
  }

  private async recordOutcomes(
    outcomes: PublishOutcome[],
    token: string,
  ): Promise<Omit<RelayBatchResult, 'claimed' | 'detached'>> {
    const result = { published: 0, failed: 0, dead: 0 };
    const published = outcomes.flatMap((o) => (o.error === null ? [o.event.envelope.id] : []));
    let superseded = 0;
    await Promise.all(
      outcomes.map(async ({ event, error }) => {
        if (error === null) return;
        const outcome = await this.recordFailure(event, token, error);
        if (outcome) result[outcome] += 1;
        else superseded += 1;
      }),
    );
    if (published.length > 0) {
      const now = this.clock.now();
      superseded += published.length - (await this.repository.markPublished(published, now, token));
      for (const { event, error } of outcomes) if (error === null) OutboxMetrics.published(event.createdAt, now);
    }
    result.published = published.length;
    if (superseded > 0) {
      // Publishing outlived the lease and another relay claimed these events again: its outcome stands.
      this.logger.warn(
        { superseded, leaseMs: this.config.leaseMs },
        'outbox claim lease expired before its outcomes were recorded',
      );
    }
    return result;
  }

  /** The event's new status, or null when another claim has taken the event over. */
  private async recordFailure(
    event: OutboxEventRecord,
    claimToken: string,
    error: unknown,
  ): Promise<'failed' | 'dead' | null> {
    const attempts = event.attempts + 1;
    const next = afterFailedAttempt(attempts, this.config.retry, this.clock.now());
    const recorded = await this.repository.markFailed(event.envelope.id, claimToken, {
      ...next,
      attempts,
      error: (error instanceof Error ? error.message : String(error)).slice(0, 2000),
    });
    if (!recorded) return null;
    OutboxMetrics.publishFailed(next.status);
    return next.status;
  }
}
