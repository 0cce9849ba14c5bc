import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './repo-root';

/**
 * The machine-readable result convention of the benches: each bench ends with
 * `recordBenchResult(name, { figures, floors, ratios, cpu, targets })`, which writes
 * bench/results/<name>.json (BENCH_RESULTS_DIR overrides the folder). `npm run bench`
 * (bench/run-all.ts) runs every bench and gathers these files into bench/results/latest.json.
 *
 * - figures: the bench's headline numbers, flat, named with their unit (`direct_max_msg_per_s`).
 * - floors: the same work done the plainest way, measured in the same run (`pg_tx_per_s`).
 * - ratios: figure / floor (a fraction, 0.25 = 25 %).
 * - cpu: cores per process (or any nested record) for the rows the targets are judged on.
 * - targets: one entry per target of the issue-11 table this bench measures (ids in TARGETS).
 */

/** The targets of issue 11, by id: what the summary reports met / missed / not measured for. */
export const TARGETS = {
  'direct-saturated': {
    figure: 'direct mode, saturated',
    target: '>= 1,000 msg/s, and >= 25 % of the plain-pg floor of the same transaction measured in the same run',
    bench: 'inbound',
  },
  'saga-saturated': {
    figure: 'saga mode, saturated',
    target: '>= 80 % of the no-op-workflow floor measured in the same run',
    bench: 'inbound',
  },
  'saga-direct-p50': { figure: 'saga p50 / direct p50 at a rate both sustain', target: '<= 3', bench: 'inbound' },
  'webhooks-healthy': {
    figure: 'healthy webhook deliveries, saturated',
    target: '>= 300/s; a dead endpoint slows healthy ones by < 10 % (median of 3 bracketed runs)',
    bench: 'webhooks',
  },
  'webhooks-p99-500': {
    figure: 'outbox commit -> webhook receiver at 500 deliveries/s (the whole delivery path)',
    target: 'p99 <= 100 ms',
    bench: 'webhooks',
  },
  'outbox-p99-500': { figure: 'outbox commit -> receiver at 500 ev/s', target: 'p99 <= 100 ms', bench: 'outbox' },
  'sessions-10k': {
    figure: '10,000 open sessions',
    target: 'worker RSS <= 1 GiB; end-time lateness p99 <= 2 s',
    bench: 'sessions',
  },
} as const;

export type TargetId = keyof typeof TARGETS;

export interface TargetResult {
  id: TargetId | string;
  /** true met, false missed, null not measured in this run (say why in `measured`). */
  met: boolean | null;
  /** The measured numbers in words, e.g. "1,234 msg/s, 31 % of 3,980 tx/s". */
  measured: string;
  /** The same numbers, machine-readable. */
  numbers?: Record<string, number | null>;
  /** Why it was missed or not measured (e.g. the CPU split), when the bench can tell. */
  why?: string;
}

export interface BenchResult {
  figures: Record<string, number | string | null>;
  floors?: Record<string, number | null>;
  ratios?: Record<string, number | null>;
  cpu?: Record<string, unknown>;
  targets?: TargetResult[];
  settings?: Record<string, unknown>;
  notes?: string[];
}

export interface RecordedBenchResult extends BenchResult {
  bench: string;
  finishedAt: string;
  node: string;
}

export function resultsDir(): string {
  return process.env.BENCH_RESULTS_DIR ?? join(repoRoot(), 'bench/results');
}

/** NaN and infinities become null (JSON has none). */
function finite(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (Array.isArray(value)) return value.map(finite);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, finite(v)]));
  }
  return value;
}

/** Writes bench/results/<name>.json; returns its path. Never throws (a bench's table matters more). */
export function recordBenchResult(name: string, result: BenchResult): string | undefined {
  const record: RecordedBenchResult = {
    bench: name,
    finishedAt: new Date().toISOString(),
    node: process.version,
    ...result,
  };
  try {
    const dir = resultsDir();
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `${name}.json`);
    writeFileSync(path, `${JSON.stringify(finite(record), null, 2)}\n`);
    console.log(`\n(results written to ${path})`);
    return path;
  } catch (err) {
    console.error(`could not write the results of ${name}: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

/** "met" / "MISSED" / "not measured", for the tables. */
export function verdict(met: boolean | null): string {
  return met === null ? 'not measured' : met ? 'met' : 'MISSED';
}
