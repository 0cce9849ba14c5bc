/**
 * At most `limit` holders per key at once. `tryAcquire` never waits: it answers a release function,
 * or null when the key is at its limit. `acquire` waits in line (first come, first served) for at
 * most `maxWaitMs`, answering null if no slot came free by then. A key without holders or waiters
 * takes no memory.
 */
export class KeyedConcurrencyLimit {
  private readonly held = new Map<string, number>();
  private readonly queues = new Map<string, ((release: () => void) => void)[]>();

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 0) throw new RangeError('limit must be a non-negative integer');
  }

  tryAcquire(key: string): (() => void) | null {
    const current = this.held.get(key) ?? 0;
    if (current >= this.limit) return null;
    this.held.set(key, current + 1);
    return this.releaserFor(key);
  }

  acquire(key: string, maxWaitMs: number): Promise<(() => void) | null> {
    const now = this.tryAcquire(key);
    if (now || this.limit === 0 || maxWaitMs <= 0) return Promise.resolve(now);
    return new Promise((resolve) => {
      const queue = this.queues.get(key) ?? [];
      const waiter = (release: () => void) => {
        clearTimeout(timer);
        resolve(release);
      };
      const timer = setTimeout(() => {
        const left = (this.queues.get(key) ?? []).filter((w) => w !== waiter);
        if (left.length > 0) this.queues.set(key, left);
        else this.queues.delete(key);
        resolve(null);
      }, maxWaitMs);
      queue.push(waiter);
      this.queues.set(key, queue);
    });
  }

  inFlight(key: string): number {
    return this.held.get(key) ?? 0;
  }

  /** Callers of `acquire` waiting in line for the key. */
  waiting(key: string): number {
    return this.queues.get(key)?.length ?? 0;
  }

  private releaserFor(key: string): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // The slot passes straight to the next in line, if any: the count stays as it is.
      const queue = this.queues.get(key);
      const next = queue?.shift();
      if (queue && queue.length === 0) this.queues.delete(key);
      if (next) {
        next(this.releaserFor(key));
        return;
      }
      const left = (this.held.get(key) ?? 1) - 1;
      if (left > 0) this.held.set(key, left);
      else this.held.delete(key);
    };
  }
}
