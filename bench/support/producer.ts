import { performance } from 'node:perf_hooks';

export interface PacedRunOptions {
  /** Events per second. */
  rate: number;
  /** Events written first and not measured (same schedule, no gap). */
  warmupMs: number;
  /** Measured part of the run. */
  durationMs: number;
  /** Concurrent writers; a writer is only busy while a transaction runs, so this bounds catch-up. */
  writers: number;
  /** Writes event `seq` in its own transaction; resolves once it has committed. */
  write: (seq: number) => Promise<string>;
}

export interface WriteRecord {
  id: string;
  seq: number;
  measured: boolean;
  /** performance.now() right after the transaction resolved. */
  committedAt: number;
  /** How late the write started against its target time. */
  lagMs: number;
  /** Duration of the write (BEGIN..COMMIT round trips). */
  txMs: number;
}

export interface PacedRunResult {
  writes: WriteRecord[];
  errors: number;
  firstError?: string;
  /** performance.now() at the first measured target time. */
  measuredStart: number;
}

const sleep = (delayMs: number) => new Promise<void>((r) => setTimeout(r, delayMs));

/** Writes events on an absolute schedule (t0 + seq / rate): a late write does not push the others
 *  back, the writers catch up instead, so the offered rate does not drift. */
export async function runPaced(options: PacedRunOptions): Promise<PacedRunResult> {
  const intervalMs = 1_000 / options.rate;
  const warmupCount = Math.round((options.rate * options.warmupMs) / 1_000);
  const total = warmupCount + Math.round((options.rate * options.durationMs) / 1_000);
  const t0 = performance.now() + 20;
  const writes: WriteRecord[] = [];
  let next = 0;
  let errors = 0;
  let firstError: string | undefined;

  const writer = async () => {
    for (;;) {
      const seq = next++;
      if (seq >= total) return;
      const target = t0 + seq * intervalMs;
      const wait = target - performance.now();
      if (wait > 0.5) await sleep(wait);
      const started = performance.now();
      try {
        const id = await options.write(seq);
        const committedAt = performance.now();
        writes.push({
          id,
          seq,
          measured: seq >= warmupCount,
          committedAt,
          lagMs: Math.max(0, started - target),
          txMs: committedAt - started,
        });
      } catch (err) {
        errors += 1;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  };

  await Promise.all(Array.from({ length: Math.max(1, options.writers) }, writer));
  return { writes, errors, firstError, measuredStart: t0 + warmupCount * intervalMs };
}
