import { performance } from 'node:perf_hooks';
import { type OutboxEnvelope, type OutboxPublisher } from '@app/outbox';

/** Records when each event id first reaches the publisher (performance.now(), sub-millisecond,
 *  same clock as the producer's commit times). Deliveries after the first are counted, not timed. */
export class LatencyPublisher implements OutboxPublisher {
  readonly name = 'bench-latency';
  readonly receivedAt = new Map<string, number>();
  duplicates = 0;

  async publish(event: OutboxEnvelope): Promise<void> {
    const at = performance.now();
    if (this.receivedAt.has(event.id)) this.duplicates += 1;
    else this.receivedAt.set(event.id, at);
  }

  /** Resolves with the ids still missing when all arrived or `timeoutMs` passed. */
  async waitForAll(ids: readonly string[], timeoutMs: number): Promise<string[]> {
    const deadline = performance.now() + timeoutMs;
    let missing = ids.filter((id) => !this.receivedAt.has(id));
    while (missing.length > 0 && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
      missing = missing.filter((id) => !this.receivedAt.has(id));
    }
    return missing;
  }
}
