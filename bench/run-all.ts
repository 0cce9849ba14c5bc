import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type RecordedBenchResult, resultsDir, TARGETS, type TargetResult, verdict } from './support/results';
import { markdownTable } from './support/stats';

/**
 * `npm run bench`: every bench in sequence from this build (dist/bench/<name>.bench.js, each in its
 * own node process, output as it goes), then one summary: bench/results/latest.json (every bench's
 * figures, floors, ratios, CPU and targets, as each wrote bench/results/<name>.json through
 * support/results.ts) and a table of the issue-11 targets, met / missed / not measured.
 *
 * Benches: outbox, webhooks, import, sessions (when bench/sessions.bench.ts is built), inbound.
 * Knobs (env): BENCH_ONLY ("inbound,outbox": a subset, in this order), BENCH_RESULTS_DIR; every
 * other BENCH_* variable reaches every bench as it is (their names overlap: set them per bench
 * rather than here). Exits 1 when a bench failed (a missed target is a result, not a failure).
 */

const ALL = ['outbox', 'webhooks', 'import', 'sessions', 'inbound'] as const;

interface BenchRun {
  name: string;
  exitCode: number | null;
  seconds: number;
  skipped?: string;
  result?: RecordedBenchResult;
}

function runBenchProcess(path: string): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path], { stdio: 'inherit', env: process.env });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.once('SIGINT', forward);
    process.once('SIGTERM', forward);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 128 : null));
    });
  });
}

function fmt(value: unknown): string {
  if (typeof value === 'number')
    return Number.isFinite(value) ? (Math.abs(value) < 10 ? value.toFixed(2) : value.toFixed(0)) : '-';
  return value === null || value === undefined ? '-' : String(value);
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const only = process.env.BENCH_ONLY?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const names = only?.length ? only : [...ALL];
  const unknown = names.filter((n) => !(ALL as readonly string[]).includes(n));
  if (unknown.length) throw new Error(`BENCH_ONLY: unknown bench(es) ${unknown.join(', ')}; known: ${ALL.join(', ')}`);
  const dir = resultsDir();
  mkdirSync(dir, { recursive: true });

  const runs: BenchRun[] = [];
  for (const name of names) {
    const path = join(__dirname, `${name}.bench.js`);
    if (!existsSync(path)) {
      runs.push({ name, exitCode: null, seconds: 0, skipped: `${name}.bench.js is not in this build` });
      console.log(`\n# bench ${name}: skipped (${path} not found)`);
      continue;
    }
    // A result file left from an earlier run must not pass for this run's.
    const resultPath = join(dir, `${name}.json`);
    rmSync(resultPath, { force: true });
    console.log(`\n# bench ${name} (${new Date().toISOString()})\n`);
    const t0 = performance.now();
    const exitCode = await runBenchProcess(path);
    const run: BenchRun = { name, exitCode, seconds: (performance.now() - t0) / 1_000 };
    if (existsSync(resultPath)) {
      try {
        run.result = JSON.parse(readFileSync(resultPath, 'utf8')) as RecordedBenchResult;
      } catch (err) {
        console.error(`bench ${name}: unreadable ${resultPath}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    runs.push(run);
  }

  // Every issue-11 target, from the bench that measures it.
  const targets = Object.entries(TARGETS).map(([id, t]) => {
    const run = runs.find((r) => r.name === t.bench);
    const reported: TargetResult | undefined = run?.result?.targets?.find((x) => x.id === id);
    const measured =
      reported?.measured ??
      (!run
        ? 'bench not run (BENCH_ONLY)'
        : run.skipped
          ? `bench skipped: ${run.skipped}`
          : run.exitCode !== 0
            ? `bench failed (exit ${run.exitCode})`
            : 'not reported by the bench');
    return {
      id,
      figure: t.figure,
      target: t.target,
      bench: t.bench,
      met: reported?.met ?? null,
      measured,
      numbers: reported?.numbers,
      why: reported?.why,
    };
  });

  const summary = {
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model ?? 'unknown',
      memoryGiB: totalmem() / 2 ** 30,
      loadAverageAtEnd: loadavg(),
      node: process.version,
    },
    targets,
    benches: Object.fromEntries(
      runs.map((r) => [r.name, { exitCode: r.exitCode, seconds: r.seconds, skipped: r.skipped, ...(r.result ?? {}) }]),
    ),
  };
  const latest = join(dir, 'latest.json');
  writeFileSync(latest, `${JSON.stringify(summary, null, 2)}\n`);

  console.log('\n# Summary: every bench of this run\n');
  console.log(
    markdownTable(
      ['bench', 'exit', 'seconds', 'floors', 'ratios'],
      runs.map((r) => [
        r.name,
        r.skipped ? 'skipped' : String(r.exitCode),
        r.seconds.toFixed(0),
        Object.entries(r.result?.floors ?? {})
          .map(([k, v]) => `${k} ${fmt(v)}`)
          .join(', ') || '-',
        Object.entries(r.result?.ratios ?? {})
          .map(([k, v]) => `${k} ${fmt(v)}`)
          .join(', ') || '-',
      ]),
    ),
  );
  console.log('\n## Issue-11 targets\n');
  console.log(
    markdownTable(
      ['figure', 'target', 'verdict', 'measured', 'why (when missed)'],
      targets.map((t) => [t.figure, t.target, verdict(t.met), t.measured, t.why ?? '']),
    ),
  );
  console.log(`\n(summary written to ${latest}; per bench: ${dir}/<bench>.json)`);
  process.exit(runs.some((r) => !r.skipped && r.exitCode !== 0) ? 1 : 0);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
