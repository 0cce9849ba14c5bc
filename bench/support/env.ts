/** Bench knobs from the environment: a bad value stops the bench with the variable named. */

export function numEnv(name: string, fallback: number, min = 0): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) throw new Error(`${name} must be a number >= ${min} (got ${raw})`);
  return value;
}

/** "K=V K=V" (whitespace-separated) as a record. */
export function kvEnv(name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (process.env[name] ?? '').split(/\s+/).filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`${name}: "${pair}" is not K=V`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/**
 * The dev server has ONE history shard, whose transfer queue (what hands a new workflow task to
 * matching) is polled at most 20 times a second by default: every new workflow then waits ~50 ms for
 * its first workflow task, a single-shard artifact a production cluster (hundreds of shards) does not
 * have. Raised by default; BENCH_TEMPORAL_EXTRA_ARGS="-" runs the dev server's defaults.
 */
const DEFAULT_TEMPORAL_EXTRA_ARGS = '--dynamic-config-value history.transferProcessorMaxPollRPS=1000';

/** Extra dev-server arguments of a bench: BENCH_TEMPORAL_EXTRA_ARGS, or the default above. */
export function temporalExtraArgsEnv(): string[] {
  return (process.env.BENCH_TEMPORAL_EXTRA_ARGS ?? DEFAULT_TEMPORAL_EXTRA_ARGS)
    .split(/\s+/)
    .filter((a) => a && a !== '-');
}
