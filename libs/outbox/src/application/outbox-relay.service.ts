import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '@app/shared';
import { afterFailedAttempt, OutboxEventRecord } from '../domain/outbox-event';
import { outboxConfig, OutboxConfig } from '../outbox.config';
import { OutboxPublisherRegistry } from './outbox-publisher';
import { OutboxCounts, OutboxRepository } from './outbox.repository.port';

export interface RelayBatchResult {
  claimed: number;
  published: number;
  failed: number;
  dead: number;
}

/** Moves events out of the outbox: claim, publish, record the outcome. */
@Injectable()
export class OutboxRelayService {
  private readonly logger = new Logger(OutboxRelayService.name);

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

  private async relay(status: 'pending' | 'failed', batchSize: number, correlationId?: string): Promise<RelayBatchResult> {
    const { token, events } = await this.repository.claimDue(status, batchSize, this.config.leaseMs, correlationId);
    const result: RelayBatchResult = { claimed: events.length, published: 0, failed: 0, dead: 0 };
    const published: string[] = [];
    let superseded = 0;
    await Promise.all(
      events.map(async (event) => {
        try {
          await this.publishers.publish(event.envelope);
          published.push(event.envelope.id);
        } catch (error) {
          const outcome = await this.recordFailure(event, token, error);
          if (outcome) result[outcome] += 1;
          else superseded += 1;
        }
      }),
    );
    if (published.length > 0) superseded += published.length - (await this.repository.markPublished(published, this.clock.now(), token));
    result.published = published.length;
    if (superseded > 0) {
      // Publishing outlived the lease and another relay claimed these events again: its outcome stands.
      this.logger.warn({ superseded, leaseMs: this.config.leaseMs }, 'outbox claim lease expired before its outcomes were recorded');
    }
    return result;
  }

  /** The event's new status, or null when another claim has taken the event over. */
  private async recordFailure(event: OutboxEventRecord, claimToken: string, error: unknown): Promise<'failed' | 'dead' | null> {
    const attempts = event.attempts + 1;
    const next = afterFailedAttempt(attempts, this.config.retry, this.clock.now());
    const recorded = await this.repository.markFailed(event.envelope.id, claimToken, {
      ...next,
      attempts,
      error: (error instanceof Error ? error.message : String(error)).slice(0, 2000),
    });
    return recorded ? next.status : null;
  }
}
