/**
 * At most `limit` holders per key at once, never waiting: `tryAcquire` answers a release function,
 * or null when the key is at its limit. A key without holders takes no memory.
 */
export class KeyedConcurrencyLimit {
  private readonly held = new Map<string, number>();

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 0) throw new RangeError('limit must be a non-negative integer');
  }

  tryAcquire(key: string): (() => void) | null {
    const current = this.held.get(key) ?? 0;
    if (current >= this.limit) return null;
    this.held.set(key, current + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.held.get(key) ?? 1) - 1;
      if (left > 0) this.held.set(key, left);
      else this.held.delete(key);
    };
  }

  inFlight(key: string): number {
    return this.held.get(key) ?? 0;
  }
}
