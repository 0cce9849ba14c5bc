import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Pool } from 'pg';
import { type BenchChild, forkChild } from './support/inbound-children';
import { childPids, CpuSampler, type CpuSnapshot } from './support/inbound-cpu';
import { type BenchTemporal, startBenchServices } from './support/infra';
import { runPaced, type WriteRecord } from './support/producer';
import { markdownTable, ms, summarize, type Summary } from './support/stats';
import { recordBenchResult, type TargetResult } from './support/results';
import { writeContactCreated } from './support/webhooks-events';
import type { FloorArgs, FloorRun } from './support/webhooks-floor';
import { type DeliveryBreakdown, deliveryBreakdown } from './support/webhooks-history';
import { summarizeCpuProfiles, type ProfileSummary } from './support/webhooks-profile';
import { BenchReceiver } from './support/webhooks-receivers';
import { countRuns, deliveryRunsSince, deliveryStatuses, pauseSubscription } from './support/webhooks-workflows';
import { cleanupAll, cleanups, log, runBench } from './support/bench-process';
import { kvEnv, numEnv, temporalExtraArgsEnv } from './support/env';

/**
 * `npm run bench:webhooks`: outbound webhook delivery through the real pipeline, on the inline path:
 * outbox row committed → relay (OutboxProcessorWorkflow, NOTIFY wake-up, batches of OUTBOX_BATCH_SIZE
 * published concurrently) → WebhookOutboxPublisher → WebhookInlineFirstAttemptService: one delivery
 * row per subscription, then the FIRST attempt (signed POST, attempt record, classification) made
 * right there, within WEBHOOK_INLINE_ATTEMPT_TIMEOUT_MS, at most WEBHOOK_INLINE_MAX_PER_SUBSCRIPTION
 * in flight per subscription. A WebhookDeliveryWorkflow starts only when that attempt fails or times
 * out, when the cap is reached (the run then makes the first attempt), or when the endpoint is marked
 * failing (then new deliveries are `held`, no run). A healthy delivery under the cap has NO workflow.
 * Receivers are loopback HTTP servers in this process; Temporal is its own dev server (locally built
 * CLI), PostgreSQL its own database.
 *
 * Processes: the worker (WorkerModule on the outbox and webhooks task queues) is a child process, as
 * in production; the floor's plain POST loop is another (support/webhooks-floor.ts). This process
 * writes the events and hosts the receivers; both timestamps come from its performance.now(), so
 * latency = receipt - commit needs no clock translation. Every phase drains on receipts at the
 * receivers (never on workflow status: most deliveries have no workflow).
 *
 * Tenant A: BENCH_HEALTHY healthy subscriptions (`contact.*`, receivers answer 204 at once); events
 * `contact.created`, one outbox INSERT per transaction. Phases:
 * - floor (before the brackets and after them): BENCH_BURST_EVENTS signed POSTs per healthy receiver
 *   (same body shape and size, same receivers) from a plain node:http keep-alive loop in a child
 *   process, BENCH_FLOOR_CONCURRENCY in flight per receiver (default: the worker's inline cap, the
 *   concurrency the inline path has per subscription): what the same HTTP work costs with nothing else.
 * - healthy burst: BENCH_BURST_EVENTS events written as fast as BENCH_WRITERS connections allow;
 *   deliveries/s = healthy deliveries / (last receipt - first write).
 * - dead burst: the same, plus one FRESH subscription (per bracket, so each starts unmarked) whose
 *   endpoint accepts the connection and never answers. After it the subscription is paused and its
 *   runs terminated, so the next healthy burst runs without it.
 *   Brackets: H0 D1 H1 D2 H2 ... (BENCH_BRACKETS dead bursts); slowdown_i = 1 - D_i / mean(H_i-1, H_i);
 *   the target is judged on the median of the brackets' slowdowns.
 * - latency (tenant B, BENCH_LATENCY_SUBSCRIPTIONS healthy subscriptions): paced at BENCH_LATENCY_RATE
 *   deliveries/s offered (events/s = rate / subscriptions) for BENCH_LATENCY_WARMUP_SECONDS +
 *   BENCH_LATENCY_SECONDS; p50/p99 of outbox commit → receipt over the measured part.
 * Per phase: CPU per process, the WebhookDeliveryWorkflows started (visibility, split into healthy
 * and dead-endpoint deliveries), the share of healthy deliveries made inline, the most connections a
 * receiver saw at once (the sender's real concurrency), and a sample of the histories of the healthy
 * deliveries that did get a run (where their time went).
 *
 * Knobs (env): BENCH_HEALTHY (3), BENCH_BURST_EVENTS (600), BENCH_WARMUP_BURST (200 events, unreported,
 * first; 0 skips), BENCH_BRACKETS (3; 0 skips the dead bursts), BENCH_WRITERS (16),
 * BENCH_FLOOR_CONCURRENCY (per receiver; default WEBHOOK_INLINE_MAX_PER_SUBSCRIPTION of the worker),
 * BENCH_LATENCY_RATE (500 deliveries/s; 0 skips), BENCH_LATENCY_SUBSCRIPTIONS (1),
 * BENCH_LATENCY_SECONDS (5), BENCH_LATENCY_WARMUP_SECONDS (2), BENCH_LATENCY_DRAIN_TIMEOUT_MS (60000: a rate the
 * pipeline does not sustain leaves a backlog; what is not delivered by then counts as lost, at the age it
 * had, so p99 is then a lower bound, shown with ≥), BENCH_DRAIN_TIMEOUT_MS (bursts, 120000),
 * BENCH_WEBHOOK_TIMEOUT_MS (15000, the production default), BENCH_WORKER_POOL_SIZE (20),
 * BENCH_WORKER_ENV ("K=V K=V" for the worker, e.g. "WEBHOOK_INLINE_MAX_PER_SUBSCRIPTION=32
 * OUTBOX_BATCH_SIZE=50"), BENCH_WORKER_OPTIONS (JSON Temporal WorkerOptions per task queue),
 * BENCH_HISTORY_SAMPLES (20 per phase, of the healthy deliveries that got a run; 0 skips),
 * BENCH_IDLE_SECONDS (5: CPU with no traffic at the start, and with only the first dead endpoint's own
 * work after its burst), BENCH_SETTLE_MAX_SECONDS (20: before each phase, wait at most this long for
 * worker + server to fall below 0.25 cores), BENCH_PROFILE ("worker": --cpu-prof, summarised),
 * BENCH_PROFILE_DIR, BENCH_TEMPORAL_EXTRA_ARGS (default in bench/support/env.ts; "-" for none),
 * BENCH_ADMIN_DATABASE_URL, BENCH_WATCHDOG_MS (540000).
 */

type Kind = 'warm-up' | 'healthy' | 'dead' | 'latency';

const settings = {
  healthy: numEnv('BENCH_HEALTHY', 3, 1),
  burstEvents: numEnv('BENCH_BURST_EVENTS', 600, 1),
  warmUpEvents: numEnv('BENCH_WARMUP_BURST', 200),
  brackets: Math.round(numEnv('BENCH_BRACKETS', 3)),
  writers: numEnv('BENCH_WRITERS', 16, 1),
  floorConcurrency: process.env.BENCH_FLOOR_CONCURRENCY ? numEnv('BENCH_FLOOR_CONCURRENCY', 8, 1) : undefined,
  latencyRate: numEnv('BENCH_LATENCY_RATE', 500),
  latencySubscriptions: Math.round(numEnv('BENCH_LATENCY_SUBSCRIPTIONS', 1, 1)),
  latencySeconds: numEnv('BENCH_LATENCY_SECONDS', 5, 1),
  latencyWarmupSeconds: numEnv('BENCH_LATENCY_WARMUP_SECONDS', 2),
  latencyDrainTimeoutMs: numEnv('BENCH_LATENCY_DRAIN_TIMEOUT_MS', 60_000, 1_000),
  drainTimeoutMs: numEnv('BENCH_DRAIN_TIMEOUT_MS', 120_000, 1_000),
  webhookTimeoutMs: numEnv('BENCH_WEBHOOK_TIMEOUT_MS', 15_000, 100),
  workerPoolSize: numEnv('BENCH_WORKER_POOL_SIZE', 20, 1),
  workerEnv: kvEnv('BENCH_WORKER_ENV'),
  workerOptions: process.env.BENCH_WORKER_OPTIONS ?? '',
  historySamples: numEnv('BENCH_HISTORY_SAMPLES', 20),
  idleSeconds: numEnv('BENCH_IDLE_SECONDS', 5),
  settleMaxSeconds: numEnv('BENCH_SETTLE_MAX_SECONDS', 20),
  profile: (process.env.BENCH_PROFILE ?? '')
    .split(',')
    .map((s) => s.trim())
    .includes('worker'),
  watchdogMs: numEnv('BENCH_WATCHDOG_MS', 540_000, 10_000),
  temporalExtraArgs: temporalExtraArgsEnv(),
};

/** Targets (issue 11): healthy deliveries/s saturated; the most a dead endpoint may slow healthy
 *  deliveries (median of the bracketed runs); commit → receiver p99 at 500 deliveries/s. */
const TARGET_DELIVERIES_PER_SECOND = 300;
const TARGET_MAX_SLOWDOWN = 0.1;
const TARGET_P99_MS = 100;
const TARGET_LATENCY_RATE = 500;

/** Worker + server cores below which the system counts as settled between phases. */
const SETTLED_CORES = 0.25;

const FLOOR = 'floor (plain POST loop)';
const CPU_COMPONENTS = ['bench (load + receivers)', 'worker', 'temporal', 'postgres (this db)', FLOOR];

interface Target {
  receiver: BenchReceiver;
  subscriptionId: string;
}

interface PhaseResult {
  key: string;
  kind: Kind;
  shape: 'burst' | 'paced';
  /** Offered deliveries/s (paced); null for a burst. */
  offeredRate: number | null;
  /** Events whose deliveries are measured (paced: after the warm-up; burst: all). */
  events: number;
  expected: number;
  delivered: number;
  lost: number;
  duplicates: number;
  writeErrors: number;
  firstError?: string;
  /** Healthy deliveries per second over the window (first measured write -> last measured receipt). */
  deliveriesPerSecond: number;
  windowSeconds: number;
  latency: Summary;
  /** Latency of the healthy deliveries made inline / by a run. */
  latencyInline: Summary;
  latencyRun: Summary;
  /** Measured deliveries not made by the end of the drain: in `latency` at their age then (a lower bound). */
  censored: number;
  /** Requests the hanging endpoint received during the phase. */
  deadAttempts: number;
  /** WebhookDeliveryWorkflows started for the phase's deliveries (all its events, warm-up included). */
  runs: { healthy: number; dead: number; other: number };
  /** Healthy deliveries of the phase (all events) that had no run. */
  inlineShare: number;
  /** Most connections a healthy receiver had open at once. */
  peakConnections: number;
  /** Mean request body bytes at the healthy receivers. */
  bodyBytes: number;
  /** Healthy deliveries of every event of the phase (warm-up included): what the CPU was spent on. */
  allDelivered: number;
  cpu: { wallSeconds: number; cores: Record<string, number> };
  breakdown?: DeliveryBreakdown;
  /** The dead endpoint's deliveries by status after the phase. */
  deadStatuses?: Record<string, number>;
}

interface FloorResult extends FloorRun {
  when: string;
  concurrency: number;
  cpu: { wallSeconds: number; cores: Record<string, number> };
}

interface Infra {
  pool: Pool;
  tenantId: string;
  worker: BenchChild;
  healthy: Target[];
  hanging: BenchReceiver;
  sampler: CpuSampler;
  temporal: BenchTemporal;
  inlineAttemptTimeoutMs: number;
}

const sleep = (delayMs: number) => new Promise<void>((r) => setTimeout(r, delayMs));
let nextSeq = 0;

async function drain(targets: Target[], ids: string[], timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const missing = targets.reduce(
      (acc, { receiver }) => acc + ids.filter((id) => receiver.receivedAt(id) === undefined).length,
      0,
    );
    if (missing === 0) return;
    if (performance.now() > deadline) {
      log(`drain: ${missing} healthy deliveries still missing after ${timeoutMs} ms`);
      return;
    }
    await sleep(50);
  }
}

/** Waits until the worker and the server are near idle (a burst leaves the server closing runs and
 *  visibility work), so a phase does not pay for the one before it. */
async function settle(infra: Infra): Promise<void> {
  const started = performance.now();
  for (;;) {
    const before = await infra.sampler.snapshot();
    await sleep(1_000);
    const { cores } = CpuSampler.delta(before, await infra.sampler.snapshot());
    const busy = (cores.worker ?? 0) + (cores.temporal ?? 0);
    const waited = (performance.now() - started) / 1_000;
    if (busy < SETTLED_CORES || waited >= settings.settleMaxSeconds) {
      log(
        `settled in ${waited.toFixed(1)} s (worker + temporal ${busy.toFixed(2)} cores${busy < SETTLED_CORES ? '' : ', gave up waiting'})`,
      );
      return;
    }
  }
}

interface PhaseSpec {
  key: string;
  kind: Kind;
  tenantId: string;
  targets: Target[];
  /** The dead endpoint's subscription in this phase, if any. */
  deadSubscriptionId?: string;
  /** Paced: events/s, warm-up and measured ms; burst: number of events. */
  paced?: { eventsPerSecond: number; warmupMs: number; durationMs: number };
  burstEvents?: number;
  drainTimeoutMs: number;
}

async function runPhase(infra: Infra, spec: PhaseSpec): Promise<PhaseResult> {
  const paced = spec.paced;
  const rate = paced ? paced.eventsPerSecond : 1e9;
  const warmupMs = paced ? paced.warmupMs : 0;
  const durationMs = paced ? paced.durationMs : (spec.burstEvents! * 1_000) / rate;
  const subs = spec.targets.length;
  log(
    paced
      ? `${spec.key} / paced: ${paced.eventsPerSecond} events/s x ${subs} subscription(s) = ${paced.eventsPerSecond * subs} deliveries/s for ${warmupMs / 1_000} s warm-up + ${durationMs / 1_000} s`
      : `${spec.key} / burst: ${spec.burstEvents} events (${spec.burstEvents! * subs} healthy deliveries${spec.deadSubscriptionId ? ' + as many to the dead endpoint' : ''}) as fast as ${settings.writers} writers go`,
  );
  const deadBefore = infra.hanging.requests;
  const bytesBefore = spec.targets.reduce((acc, t) => acc + t.receiver.bodyBytes, 0);
  const requestsBefore = spec.targets.reduce((acc, t) => acc + t.receiver.requests, 0);
  for (const t of spec.targets) t.receiver.resetPeak();
  const duplicatesBefore = spec.targets.reduce((acc, t) => acc + t.receiver.duplicates, 0);
  const startedEpoch = Date.now();
  const cpuBefore: CpuSnapshot = await infra.sampler.snapshot();
  const base = nextSeq;
  const run = await runPaced({
    rate,
    warmupMs,
    durationMs,
    writers: settings.writers,
    write: (seq) => writeContactCreated(infra.pool, spec.tenantId, base + seq),
  });
  nextSeq = base + run.writes.length + run.errors + 1;
  const ids = run.writes.map((w) => w.id);
  await drain(spec.targets, ids, spec.drainTimeoutMs);
  const drainedAt = performance.now();
  const cpuAfter = await infra.sampler.snapshot();
  const endedEpoch = Date.now();
  const deadAttempts = infra.hanging.requests - deadBefore;
  const peakConnections = Math.max(...spec.targets.map((t) => t.receiver.peakSockets));
  const requests = spec.targets.reduce((acc, t) => acc + t.receiver.requests, 0) - requestsBefore;
  const bodyBytes =
    requests > 0
      ? (spec.targets.reduce((acc, t) => acc + t.receiver.bodyBytes, 0) - bytesBefore) / requests
      : Number.NaN;

  // Runs started for this phase's deliveries. A dead endpoint's inline attempts end after the drain
  // (their budget), and only then start their runs: wait that long before reading.
  if (spec.deadSubscriptionId) await sleep(infra.inlineAttemptTimeoutMs + 500);
  const listed = await deliveryRunsSince(infra.temporal.env.client, startedEpoch - 1_000).catch((err: unknown) => {
    log(`could not list delivery runs: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  });
  const healthySubs = spec.targets.map((t) => t.subscriptionId);
  const runCounts = listed ? countRuns(listed, ids, healthySubs, spec.deadSubscriptionId, endedEpoch) : undefined;
  const runIdOf = (subscriptionId: string, eventId: string) => `webhook:${subscriptionId}:${eventId}`;

  const measured: WriteRecord[] = run.writes.filter((w) => w.measured);
  const latencies: number[] = [];
  const inline: number[] = [];
  const viaRun: number[] = [];
  let lastReceipt = Number.NaN;
  let delivered = 0;
  let censored = 0;
  for (const w of measured) {
    for (const { receiver, subscriptionId } of spec.targets) {
      const at = receiver.receivedAt(w.id);
      if (at === undefined) {
        censored += 1;
        latencies.push(drainedAt - w.committedAt);
        continue;
      }
      delivered += 1;
      latencies.push(at - w.committedAt);
      (runCounts?.healthyIds.has(runIdOf(subscriptionId, w.id)) ? viaRun : inline).push(at - w.committedAt);
      if (!(at <= lastReceipt)) lastReceipt = at;
    }
  }
  const windowSeconds = (lastReceipt - run.measuredStart) / 1_000;
  const allDelivered = run.writes.reduce(
    (acc, w) => acc + spec.targets.filter(({ receiver }) => receiver.receivedAt(w.id) !== undefined).length,
    0,
  );
  const expected = measured.length * subs;

  let breakdown: DeliveryBreakdown | undefined;
  if (settings.historySamples > 0 && spec.kind !== 'warm-up' && runCounts && runCounts.healthyIds.size > 0) {
    const committed = new Map<string, number>();
    for (const w of run.writes)
      for (const s of healthySubs) committed.set(runIdOf(s, w.id), performance.timeOrigin + w.committedAt);
    const withRuns = [...runCounts.healthyIds];
    const step = Math.max(1, Math.floor(withRuns.length / settings.historySamples));
    const sample = withRuns.filter((_, i) => i % step === 0).slice(0, settings.historySamples);
    breakdown = await deliveryBreakdown(infra.temporal.env.client, sample, (id) => committed.get(id)).catch(
      (err: unknown) => {
        log(`could not read delivery histories: ${err instanceof Error ? err.message : String(err)}`);
        return undefined;
      },
    );
  }

  const result: PhaseResult = {
    key: spec.key,
    kind: spec.kind,
    shape: paced ? 'paced' : 'burst',
    offeredRate: paced ? paced.eventsPerSecond * subs : null,
    events: measured.length,
    expected,
    delivered,
    lost: expected - delivered,
    duplicates: spec.targets.reduce((acc, t) => acc + t.receiver.duplicates, 0) - duplicatesBefore,
    writeErrors: run.errors,
    firstError: run.firstError,
    deliveriesPerSecond: windowSeconds > 0 ? delivered / windowSeconds : Number.NaN,
    windowSeconds,
    latency: summarize(latencies),
    latencyInline: summarize(inline),
    latencyRun: summarize(viaRun),
    censored,
    deadAttempts,
    runs: runCounts
      ? { healthy: runCounts.healthy, dead: runCounts.dead, other: runCounts.other }
      : { healthy: Number.NaN, dead: Number.NaN, other: Number.NaN },
    inlineShare: runCounts && allDelivered > 0 ? 1 - runCounts.healthy / (run.writes.length * subs) : Number.NaN,
    peakConnections,
    bodyBytes,
    allDelivered,
    cpu: CpuSampler.delta(cpuBefore, cpuAfter),
    breakdown,
    deadStatuses: spec.deadSubscriptionId ? await deliveryStatuses(infra.pool, spec.deadSubscriptionId) : undefined,
  };
  log(
    `${spec.key}: ${delivered}/${expected} delivered, ${result.deliveriesPerSecond.toFixed(0)} deliveries/s, p50 ${ms(result.latency.p50)} p99 ${ms(result.latency.p99)} ms, ` +
      `runs started: healthy ${result.runs.healthy}, dead ${result.runs.dead}, other ${result.runs.other}; dead-endpoint attempts ${deadAttempts}; ` +
      `peak connections/receiver ${peakConnections}${result.deadStatuses ? `; dead deliveries ${JSON.stringify(result.deadStatuses)}` : ''}`,
  );
  return result;
}

async function runFloor(
  infra: Infra,
  floor: BenchChild,
  when: string,
  concurrency: number,
  secrets: Map<string, string>,
): Promise<FloorResult> {
  const args: FloorArgs = {
    targets: infra.healthy.map((t) => ({
      url: t.receiver.url,
      secret: secrets.get(t.subscriptionId)!,
      tenantId: infra.tenantId,
    })),
    perTarget: settings.burstEvents,
    concurrency,
    warmUp: Math.min(100, settings.burstEvents),
  };
  log(
    `floor (${when}): ${args.perTarget} signed POSTs x ${args.targets.length} receivers, ${concurrency} in flight per receiver, plain node:http loop in a child process`,
  );
  const before = await infra.sampler.snapshot();
  const run = await floor.call<FloorRun>('run', args, 120_000);
  const cpu = CpuSampler.delta(before, await infra.sampler.snapshot());
  log(
    `floor (${when}): ${run.perSecond.toFixed(0)} POSTs/s over ${run.seconds.toFixed(2)} s, p50 ${ms(run.latency.p50)} p99 ${ms(run.latency.p99)} ms, ${run.errors} errors`,
  );
  return { ...run, when, concurrency, cpu };
}

interface Bracket {
  index: number;
  before: PhaseResult;
  dead: PhaseResult;
  after: PhaseResult;
  slowdown: number;
}

function brackets(results: PhaseResult[]): Bracket[] {
  const healthy = results.filter((r) => r.kind === 'healthy');
  const dead = results.filter((r) => r.kind === 'dead');
  return dead.flatMap((d, i) => {
    const before = healthy[i];
    const after = healthy[i + 1];
    if (!before || !after) return [];
    return [
      {
        index: i + 1,
        before,
        dead: d,
        after,
        slowdown: 1 - d.deliveriesPerSecond / ((before.deliveriesPerSecond + after.deliveriesPerSecond) / 2),
      },
    ];
  });
}

function median(values: number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

interface Verdicts {
  healthyRate: number;
  healthyRates: number[];
  healthyLost: number;
  capacityMet: boolean | null;
  floorRate: number;
  ratio: number;
  brackets: Bracket[];
  slowdown: number;
  slowdownMet: boolean | null;
  latency?: PhaseResult;
  latencyMet: boolean | null;
}

function verdictsOf(results: PhaseResult[], floors: FloorResult[]): Verdicts {
  const healthy = results.filter((r) => r.kind === 'healthy');
  const healthyRates = healthy.map((r) => r.deliveriesPerSecond);
  const healthyRate = median(healthyRates);
  const healthyLost = healthy.reduce((acc, r) => acc + r.lost, 0);
  const floorRates = floors.map((f) => f.perSecond).filter(Number.isFinite);
  const floorRate = floorRates.length ? floorRates.reduce((a, b) => a + b, 0) / floorRates.length : Number.NaN;
  const bs = brackets(results);
  const slowdown = median(bs.map((b) => b.slowdown));
  const deadLost = bs.reduce((acc, b) => acc + b.dead.lost, 0);
  const latency = results.find((r) => r.kind === 'latency');
  return {
    healthyRate,
    healthyRates,
    healthyLost,
    capacityMet: healthy.length ? healthyRate >= TARGET_DELIVERIES_PER_SECOND && healthyLost === 0 : null,
    floorRate,
    ratio: healthyRate / floorRate,
    brackets: bs,
    slowdown,
    slowdownMet: bs.length ? slowdown < TARGET_MAX_SLOWDOWN && deadLost === 0 : null,
    latency,
    latencyMet: latency
      ? latency.latency.p99 <= TARGET_P99_MS && latency.lost === 0 && (latency.offeredRate ?? 0) >= TARGET_LATENCY_RATE
      : null,
  };
}

interface ReportFacts {
  postgres: string;
  temporalCli: string;
  totalSeconds: number;
  verified: number;
  verifyFailures: string[];
  profiles: ProfileSummary[];
  idle?: { wallSeconds: number; cores: Record<string, number> };
  deadIdle?: { wallSeconds: number; cores: Record<string, number> };
  ready: Record<string, unknown>;
  warmUp?: PhaseResult;
}

const pct = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%` : '-');
const fix0 = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '-');
const mark = (met: boolean | null) => (met === null ? 'NOT MEASURED' : met ? 'MET' : 'MISSED');

function printReport(results: PhaseResult[], floors: FloorResult[], v: Verdicts, facts: ReportFacts): void {
  const load = (r: PhaseResult) =>
    r.shape === 'paced' ? `paced ${r.offeredRate} deliveries/s` : `burst ${r.events} events`;
  const lat = (r: PhaseResult, value: number) => `${r.censored > 0 ? '≥' : ''}${ms(value)}`;
  const endpoints = (r: PhaseResult) =>
    r.kind === 'latency'
      ? `${settings.latencySubscriptions} healthy (tenant B)`
      : r.kind === 'dead'
        ? `${settings.healthy} healthy + 1 dead`
        : `${settings.healthy} healthy`;
  console.log(
    '\n## Outbound webhooks: outbox → fan-out with inline first attempt → loopback receivers (a run only when needed)\n',
  );
  console.log(
    markdownTable(
      [
        'phase',
        'endpoints',
        'load',
        'healthy deliveries',
        'lost',
        'dup',
        'deliveries/s',
        'p50 ms',
        'p95 ms',
        'p99 ms',
        'max ms',
        'inline',
        'runs healthy',
        'runs dead',
        'dead attempts',
        'peak conns',
      ],
      results.map((r) => [
        r.key,
        endpoints(r),
        load(r),
        String(r.delivered),
        String(r.lost),
        String(r.duplicates),
        fix0(r.deliveriesPerSecond),
        lat(r, r.latency.p50),
        lat(r, r.latency.p95),
        lat(r, r.latency.p99),
        lat(r, r.latency.max),
        Number.isFinite(r.inlineShare) ? `${(r.inlineShare * 100).toFixed(0)}%` : '-',
        String(r.runs.healthy),
        r.kind === 'dead' ? String(r.runs.dead) : '-',
        r.kind === 'dead' ? String(r.deadAttempts) : '-',
        String(r.peakConnections),
      ]),
    ),
  );
  console.log(
    '(latency = receipt at the healthy receiver - commit of the outbox row, same process and clock (≥: some deliveries not made within the drain timeout, counted at their age then); deliveries/s = healthy deliveries of the measured events / ' +
      '(last receipt - first measured write); inline = healthy deliveries with no WebhookDeliveryWorkflow; runs = WebhookDeliveryWorkflows started for the ' +
      "phase's healthy / dead-endpoint deliveries (of all its events, warm-up seconds included) (Temporal visibility, WorkflowType='WebhookDeliveryWorkflow'); peak conns = most connections one healthy " +
      "receiver had open at once, the sender's concurrency toward it.)",
  );

  console.log('\n### Floor: the same HTTP work done the plainest way\n');
  console.log(
    markdownTable(
      ['when', 'POSTs', 'in flight / receiver', 'seconds', 'POSTs/s', 'p50 ms', 'p99 ms', 'errors', 'body bytes'],
      floors.map((f) => [
        f.when,
        String(f.posts),
        String(f.concurrency),
        f.seconds.toFixed(2),
        fix0(f.perSecond),
        ms(f.latency.p50),
        ms(f.latency.p99),
        String(f.errors),
        fix0(f.bodyBytes),
      ]),
    ),
  );
  const healthyBytes = results.find((r) => r.kind === 'healthy')?.bodyBytes ?? Number.NaN;
  console.log(
    `(a node:http keep-alive loop in a child process: ${settings.burstEvents} signed POSTs per healthy receiver, the same receivers, the body shape of the ` +
      `worker's requests (${fix0(healthyBytes)} bytes in the pipeline's bursts), the worker's inline cap as concurrency per receiver. ` +
      `Pipeline / floor: ${fix0(v.healthyRate)} / ${fix0(v.floorRate)} = ${Number.isFinite(v.ratio) ? `${(v.ratio * 100).toFixed(1)}%` : '-'}.)`,
  );

  if (v.brackets.length) {
    console.log('\n### Dead endpoint: bracketed runs (healthy burst, dead burst, healthy burst)\n');
    console.log(
      markdownTable(
        [
          'bracket',
          'healthy before /s',
          'dead /s',
          'healthy after /s',
          'slowdown',
          'dead runs',
          'dead endpoint deliveries after the burst',
        ],
        v.brackets.map((b) => [
          String(b.index),
          fix0(b.before.deliveriesPerSecond),
          fix0(b.dead.deliveriesPerSecond),
          fix0(b.after.deliveriesPerSecond),
          pct(b.slowdown),
          String(b.dead.runs.dead),
          Object.entries(b.dead.deadStatuses ?? {})
            .map(([k, n]) => `${k} ${n}`)
            .join(', '),
        ]),
      ),
    );
    console.log(
      `(slowdown = 1 - dead / mean(before, after); median of ${v.brackets.length}: ${pct(v.slowdown)}. Each dead burst has a fresh dead subscription, paused and its runs terminated after it.)`,
    );
  }

  const verdicts: string[] = [
    `${mark(v.capacityMet)}: healthy deliveries/s, burst: ${fix0(v.healthyRate)} (median of ${v.healthyRates.length} healthy bursts: ${v.healthyRates.map(fix0).join(', ')}; target >= ${TARGET_DELIVERIES_PER_SECOND})` +
      `${v.healthyLost ? `; ${v.healthyLost} deliveries lost` : ''}; floor ${fix0(v.floorRate)} POSTs/s, ratio ${Number.isFinite(v.ratio) ? `${(v.ratio * 100).toFixed(1)}%` : '-'}`,
    `${mark(v.slowdownMet)}: dead endpoint slows healthy deliveries by ${pct(v.slowdown)} (median of ${v.brackets.length} bracketed runs: ${v.brackets.map((b) => pct(b.slowdown)).join(', ')}; target < ${TARGET_MAX_SLOWDOWN * 100}%)`,
    v.latency
      ? `${mark(v.latencyMet)}: commit → receiver at ${v.latency.offeredRate} deliveries/s offered (${settings.latencySubscriptions} subscription(s), ${fix0((v.latency.offeredRate ?? 0) / settings.latencySubscriptions)} events/s): ` +
        `p50 ${ms(v.latency.latency.p50)} ms, p99 ${v.latency.censored ? '≥ ' : ''}${ms(v.latency.latency.p99)} ms (target p99 <= ${TARGET_P99_MS} ms at ${TARGET_LATENCY_RATE}/s); achieved ${fix0(v.latency.deliveriesPerSecond)}/s, ${v.latency.lost} lost`
      : `NOT MEASURED: latency at ${TARGET_LATENCY_RATE}/s (BENCH_LATENCY_RATE=0)`,
  ];
  const healthyRuns = results
    .filter((r) => r.kind === 'healthy' || r.kind === 'latency')
    .map((r) => `${r.key} ${r.runs.healthy}`);
  verdicts.push(
    `WebhookDeliveryWorkflows started for healthy deliveries (0 expected on the inline path): ${healthyRuns.join(', ')}`,
  );
  if (results.some((r) => r.kind !== 'dead' && r.runs.healthy > 0)) {
    verdicts.push(
      `(why healthy deliveries got runs: the relay publishes a claimed batch (OUTBOX_BATCH_SIZE ${String(facts.ready.outboxBatchSize)}) at once, and past ` +
        `WEBHOOK_INLINE_MAX_PER_SUBSCRIPTION (${String(facts.ready.inlineMaxPerSubscription)}) attempts in flight to a subscription the fan-out starts a run instead of waiting)`,
    );
  }
  if (facts.warmUp)
    verdicts.push(
      `(warm-up burst before the measured phases, not counted: ${fix0(facts.warmUp.deliveriesPerSecond)} deliveries/s, ${facts.warmUp.runs.healthy} runs)`,
    );
  console.log(`\n${verdicts.map((line) => `- ${line}`).join('\n')}`);

  console.log('\n### Healthy latency by path (ms, p50 / p99 (count))\n');
  const cell = (s: Summary) => (s.count ? `${ms(s.p50)} / ${ms(s.p99)} (${s.count})` : '-');
  console.log(
    markdownTable(
      ['phase', 'inline first attempt', 'through a WebhookDeliveryWorkflow'],
      results.map((r) => [r.key, cell(r.latencyInline), cell(r.latencyRun)]),
    ),
  );

  const sampled = results.filter((r) => r.breakdown && r.breakdown.sampled > 0);
  if (sampled.length) {
    const pair = (s: Summary) => `${ms(s.p50)} / ${ms(s.p99)}`;
    console.log('\n### Healthy deliveries that got a run: where the time went (ms, p50 / p99, sampled histories)\n');
    console.log(
      markdownTable(
        [
          'phase',
          'sampled',
          'commit → run started',
          'started → deliver scheduled',
          'deliver queued',
          'deliver run',
          'deliver closed → completed',
        ],
        sampled.map((r) => {
          const b = r.breakdown!;
          return [
            r.key,
            String(b.sampled),
            pair(b.commitToStart),
            pair(b.startToScheduled),
            pair(b.deliverScheduleToStart),
            pair(b.deliverStartToClose),
            pair(b.bookkeeping),
          ];
        }),
      ),
    );
    console.log(
      '(commit → run started: relay wake-up, claim, fan-out rows, the cap check and StartWorkflowExecution; the rest as the run records it.)',
    );
  }

  console.log('\n### CPU (cores used over each phase, writes to drain)\n');
  const cpuRow = (
    name: string,
    load: string,
    cpu: { wallSeconds: number; cores: Record<string, number> },
    units: number,
  ) => {
    const listed = CPU_COMPONENTS.reduce((acc, n) => acc + (cpu.cores[n] ?? 0), 0);
    return [
      name,
      load,
      cpu.wallSeconds.toFixed(1),
      ...CPU_COMPONENTS.map((n) => (cpu.cores[n] ?? 0).toFixed(2)),
      (cpu.cores['machine busy'] ?? 0).toFixed(2),
      (cpu.cores.other ?? 0).toFixed(2),
      units > 0 ? ((listed * cpu.wallSeconds * 1_000) / units).toFixed(2) : '-',
    ];
  };
  console.log(
    markdownTable(
      ['phase', 'load', 'wall s', ...CPU_COMPONENTS, 'machine busy', 'other', 'CPU ms / delivery'],
      [
        ...floors.map((f) => cpuRow(`floor (${f.when})`, `${f.posts} POSTs`, f.cpu, f.posts + f.warmUpPosts)),
        ...results.map((r) => cpuRow(r.key, load(r), r.cpu, r.allDelivered)),
      ],
    ),
  );
  if (facts.idle) {
    const idle = facts.idle;
    console.log(
      `\nIdle (no traffic, ${idle.wallSeconds.toFixed(0)} s): ${CPU_COMPONENTS.map((n) => `${n} ${(idle.cores[n] ?? 0).toFixed(2)}`).join(', ')} cores.`,
    );
    if (facts.deadIdle) {
      const dead = facts.deadIdle;
      const total = (c: Record<string, number>) => CPU_COMPONENTS.reduce((acc, n) => acc + (c[n] ?? 0), 0);
      const extra = total(dead.cores) - total(idle.cores);
      console.log(
        `Dead endpoint alone (no traffic, ${dead.wallSeconds.toFixed(0)} s after the first dead burst: its runs retrying, held deliveries waiting, the release sweep): ` +
          `${CPU_COMPONENTS.map((n) => `${n} ${(dead.cores[n] ?? 0).toFixed(2)}`).join(', ')} cores; ${extra >= 0 ? '+' : ''}${extra.toFixed(2)} cores over idle.`,
      );
    }
  }
  console.log(
    `(${cpus().length} cores in all; "other" = busy time of processes outside this bench, e.g. another bench; "CPU ms / delivery" spreads the listed components' CPU over the healthy deliveries of the phase, warm-up included.)`,
  );

  for (const p of facts.profiles) {
    console.log(`\n### Worker CPU profile (${p.file}, ${(p.totalMs / 1_000).toFixed(1)} s sampled)\n`);
    console.log(
      markdownTable(
        ['area (self time)', 'ms', 'share'],
        p.byArea.map((r) => [r.name, r.selfMs.toFixed(0), `${(r.share * 100).toFixed(1)}%`]),
      ),
    );
    console.log('');
    console.log(
      markdownTable(
        ['hottest functions (self time)', 'ms', 'share'],
        p.topFunctions.map((r) => [r.name, r.selfMs.toFixed(0), `${(r.share * 100).toFixed(1)}%`]),
      ),
    );
  }

  console.log('\n### Checks\n');
  console.log(
    `- signatures: ${facts.verified} sampled requests verified with the standardwebhooks library, ${facts.verifyFailures.length} failed${facts.verifyFailures.length ? ` (first: ${facts.verifyFailures[0]})` : ''}`,
  );
  for (const r of results)
    if (r.writeErrors > 0) console.log(`- ${r.key}: ${r.writeErrors} write errors (first: ${r.firstError})`);
  for (const f of floors)
    if (f.errors > 0) console.log(`- floor (${f.when}): ${f.errors} errors (first: ${f.firstError})`);

  const cpu = cpus();
  const r = facts.ready;
  console.log('\n### Machine and settings\n');
  console.log(
    `- cpus: ${cpu.length} x ${cpu[0]?.model ?? 'unknown'}; memory ${(totalmem() / 2 ** 30).toFixed(1)} GiB; load average at end ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    `- node ${process.version}; PostgreSQL ${facts.postgres}; Temporal dev server from ${facts.temporalCli} (extra args: ${settings.temporalExtraArgs.join(' ') || 'none'})`,
  );
  console.log(
    `- ${settings.healthy} healthy subscriptions (+1 dead per dead burst), bursts of ${settings.burstEvents} events (warm-up ${settings.warmUpEvents}), ${settings.brackets} bracket(s), ` +
      `${settings.writers} writers; latency phase ${settings.latencyRate} deliveries/s over ${settings.latencySubscriptions} subscription(s) for ${settings.latencyWarmupSeconds}+${settings.latencySeconds} s; ` +
      `worker: WORKER_TASK_QUEUES=outbox,webhooks, DATABASE_POOL_SIZE=${settings.workerPoolSize}${
        Object.keys(settings.workerEnv).length
          ? `, ${Object.entries(settings.workerEnv)
              .map(([k, val]) => `${k}=${val}`)
              .join(', ')}`
          : ''
      }; ` +
      `WEBHOOK_TIMEOUT_MS ${String(r.webhookTimeoutMs)}, WEBHOOK_INLINE_ATTEMPT_TIMEOUT_MS ${String(r.inlineAttemptTimeoutMs)}, WEBHOOK_INLINE_MAX_PER_SUBSCRIPTION ${String(r.inlineMaxPerSubscription)}, ` +
      `WEBHOOK_SLOW_AFTER_MS ${String(r.slowAfterMs)}, OUTBOX_BATCH_SIZE ${String(r.outboxBatchSize)}, OUTBOX_WAKE_MIN_INTERVAL_MS ${String(r.outboxWakeMinIntervalMs)}; webhooks queue activity slots ${String(r.webhookActivitySlots)}, ` +
      `workflow task slots ${String(r.webhookWorkflowTaskSlots)}${settings.workerOptions ? `, worker options ${settings.workerOptions}` : ''}; total bench time ${facts.totalSeconds.toFixed(0)} s`,
  );
  console.log(
    '\nCaveat: everything (Temporal dev server on SQLite, PostgreSQL, the worker, the load generator and the receivers) shares this machine; ' +
      'absolute numbers are pessimistic for a real deployment. Compare the phases with each other and with the floor.',
  );
}

async function main(): Promise<void> {
  const started = performance.now();
  const { temporal, database, bundle } = await startBenchServices(settings.temporalExtraArgs);
  const temporalPid = childPids(process.pid, /temporal/)[0];

  const pool = new Pool({ connectionString: database.url, max: settings.writers + 4 });
  cleanups.push({ name: 'pg pool', run: () => pool.end() });
  const tenant = async (name: string) =>
    (await pool.query<{ id: string }>(`INSERT INTO tenants (name) VALUES ($1) RETURNING id`, [name])).rows[0]!.id;
  const tenantId = await tenant('bench webhooks');
  const latencyTenantId = await tenant('bench webhooks latency');

  const receivers: BenchReceiver[] = [];
  cleanups.push({ name: 'receivers', run: () => Promise.all(receivers.map((r) => r.close())).then(() => undefined) });
  for (let i = 0; i < settings.healthy; i++) receivers.push(await BenchReceiver.start(`healthy-${i + 1}`, 'healthy'));
  const latencyReceivers: BenchReceiver[] = [];
  if (settings.latencyRate > 0)
    for (let i = 0; i < settings.latencySubscriptions; i++)
      latencyReceivers.push(await BenchReceiver.start(`latency-${i + 1}`, 'healthy'));
  receivers.push(...latencyReceivers);
  const hanging = await BenchReceiver.start('dead', 'hanging');
  receivers.push(hanging);

  const keptProfileDir = process.env.BENCH_PROFILE_DIR;
  const profileDir = settings.profile
    ? (keptProfileDir ?? mkdtempSync(join(tmpdir(), 'crm-bench-webhooks-prof-')))
    : undefined;
  if (profileDir && !keptProfileDir)
    cleanups.push({ name: 'profile dir', run: () => rmSync(profileDir, { recursive: true, force: true }) });
  log('starting the worker and the floor (child processes)');
  const worker = await forkChild(
    'worker',
    join(__dirname, 'support', 'webhooks-worker.js'),
    {
      DATABASE_URL: database.url,
      DATABASE_POOL_SIZE: String(settings.workerPoolSize),
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_ENSURE_NAMESPACE: 'false',
      WORKER_TASK_QUEUES: 'outbox,webhooks',
      WORKER_HEALTH_PORT: '0',
      WORKFLOW_BUNDLE_PATH: bundle.path,
      OUTBOX_PROCESSOR_WORKFLOW_ID: `outbox-processor-bench-${randomBytes(4).toString('hex')}`,
      LOG_LEVEL: 'error',
      SECRETS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
      WEBHOOK_TIMEOUT_MS: String(settings.webhookTimeoutMs),
      BENCH_WORKER_OPTIONS: settings.workerOptions,
      ...settings.workerEnv,
    },
    { log, execArgv: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [] },
  );
  cleanups.push({ name: 'worker', run: () => worker.stop() });
  // Before the worker stops: the hanging endpoint lets go of its requests, so no attempt waits out its timeout.
  cleanups.push({ name: 'dead endpoint', run: () => hanging.close() });
  const floor = await forkChild('floor', join(__dirname, 'support', 'webhooks-floor.js'), {}, { log });
  cleanups.push({ name: 'floor', run: () => floor.stop() });

  const secrets = new Map<string, string>();
  const subscribe = async (tenant: string, receiver: BenchReceiver): Promise<Target> => {
    const sub = await worker.call<{ id: string; secret: string }>('subscribe', {
      tenantId: tenant,
      url: receiver.url,
      eventTypes: ['contact.*'],
    });
    if (receiver.kind === 'healthy') receiver.useSecret(sub.secret);
    secrets.set(sub.id, sub.secret);
    return { receiver, subscriptionId: sub.id };
  };
  const healthy: Target[] = [];
  for (const receiver of receivers.filter((r) => r.kind === 'healthy' && !latencyReceivers.includes(r)))
    healthy.push(await subscribe(tenantId, receiver));
  const latencyTargets: Target[] = [];
  for (const receiver of latencyReceivers) latencyTargets.push(await subscribe(latencyTenantId, receiver));

  const sampler = new CpuSampler(async () => {
    const { rows: pids } = await pool.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1`, [
      database.name,
    ]);
    return {
      'bench (load + receivers)': [process.pid],
      worker: [worker.pid],
      temporal: temporalPid ? [temporalPid] : [],
      'postgres (this db)': pids.map((r) => r.pid),
      [FLOOR]: [floor.pid],
    };
  });
  const inlineAttemptTimeoutMs = Number(worker.ready.inlineAttemptTimeoutMs ?? 2_000);
  const infra: Infra = { pool, tenantId, worker, healthy, hanging, sampler, temporal, inlineAttemptTimeoutMs };
  const floorConcurrency = settings.floorConcurrency ?? Math.max(1, Number(worker.ready.inlineMaxPerSubscription ?? 8));

  const sampleIdle = async (what: string) => {
    const before = await sampler.snapshot();
    await sleep(settings.idleSeconds * 1_000);
    const cores = CpuSampler.delta(before, await sampler.snapshot());
    log(
      `${what} CPU: ${Object.entries(cores.cores)
        .map(([k, val]) => `${k} ${val.toFixed(2)}`)
        .join(', ')}`,
    );
    return cores;
  };
  const idle = settings.idleSeconds > 0 ? await sampleIdle('idle') : undefined;

  // The first burst on a fresh server runs faster or slower than the later ones (caches, the SQLite
  // files growing): an unreported burst first puts every measured one on the same footing.
  let warmUp: PhaseResult | undefined;
  if (settings.warmUpEvents > 0) {
    await settle(infra);
    warmUp = await runPhase(infra, {
      key: 'warm-up',
      kind: 'warm-up',
      tenantId,
      targets: healthy,
      burstEvents: settings.warmUpEvents,
      drainTimeoutMs: settings.drainTimeoutMs,
    });
  }

  const results: PhaseResult[] = [];
  const floors: FloorResult[] = [];
  floors.push(await runFloor(infra, floor, 'before', floorConcurrency, secrets));
  const healthyBurst = async (i: number) => {
    await settle(infra);
    results.push(
      await runPhase(infra, {
        key: `healthy ${i}`,
        kind: 'healthy',
        tenantId,
        targets: healthy,
        burstEvents: settings.burstEvents,
        drainTimeoutMs: settings.drainTimeoutMs,
      }),
    );
  };
  await healthyBurst(0);
  let deadIdle: typeof idle;
  for (let i = 1; i <= settings.brackets; i++) {
    const dead = await subscribe(tenantId, hanging);
    log(
      `dead endpoint subscribed (${dead.subscriptionId}); inline attempts to it run into their ${inlineAttemptTimeoutMs} ms budget, its runs' into ${settings.webhookTimeoutMs} ms`,
    );
    await settle(infra);
    results.push(
      await runPhase(infra, {
        key: `dead ${i}`,
        kind: 'dead',
        tenantId,
        targets: healthy,
        deadSubscriptionId: dead.subscriptionId,
        burstEvents: settings.burstEvents,
        drainTimeoutMs: settings.drainTimeoutMs,
      }),
    );
    // The dead endpoint's own upkeep without the noise of a burst (once): its runs retrying, its held
    // deliveries waiting, the release sweep looking at them.
    if (i === 1 && settings.idleSeconds > 0) deadIdle = await sampleIdle('dead endpoint alone');
    const terminated = await pauseSubscription(pool, temporal.env.client, dead.subscriptionId);
    log(`dead endpoint paused; ${terminated} runs still retrying against it terminated`);
    await healthyBurst(i);
  }
  floors.push(await runFloor(infra, floor, 'after', floorConcurrency, secrets));

  if (settings.latencyRate > 0) {
    await settle(infra);
    results.push(
      await runPhase(infra, {
        key: 'latency',
        kind: 'latency',
        tenantId: latencyTenantId,
        targets: latencyTargets,
        drainTimeoutMs: settings.latencyDrainTimeoutMs,
        paced: {
          eventsPerSecond: settings.latencyRate / settings.latencySubscriptions,
          warmupMs: settings.latencyWarmupSeconds * 1_000,
          durationMs: settings.latencySeconds * 1_000,
        },
      }),
    );
  }
  const verified = [...healthy, ...latencyTargets].reduce((acc, h) => acc + h.receiver.verified, 0);
  const verifyFailures = [...healthy, ...latencyTargets].flatMap((h) => h.receiver.verifyFailures);

  log('shutting down');
  await hanging.close();
  await worker.stop();
  const profiles = profileDir ? summarizeCpuProfiles(profileDir) : [];
  const ready = worker.ready;
  await cleanupAll();
  const v = verdictsOf(results, floors);
  printReport(results, floors, v, {
    postgres: database.serverVersion,
    temporalCli: temporal.cliPath,
    totalSeconds: (performance.now() - started) / 1_000,
    verified,
    verifyFailures,
    profiles,
    idle,
    deadIdle,
    ready,
    warmUp,
  });
  recordWebhooksResult(results, floors, v, ready);
}

/** bench/results/webhooks.json (support/results.ts): the phases' figures, the floor and the targets. */
function recordWebhooksResult(
  results: PhaseResult[],
  floors: FloorResult[],
  v: Verdicts,
  ready: Record<string, unknown>,
): void {
  const key = (r: PhaseResult) => r.key.replace(/\s+/g, '_');
  const figures: Record<string, number | null> = {
    healthy_burst_deliveries_per_s: v.healthyRate,
    dead_slowdown_median: v.slowdown,
    latency_offered_per_s: v.latency?.offeredRate ?? null,
    latency_achieved_per_s: v.latency?.deliveriesPerSecond ?? null,
    latency_p50_ms: v.latency?.latency.p50 ?? null,
    latency_p99_ms: v.latency?.latency.p99 ?? null,
    latency_lost: v.latency?.lost ?? null,
  };
  for (const b of v.brackets) figures[`bracket_${b.index}_slowdown`] = b.slowdown;
  for (const r of results) {
    figures[`${key(r)}_deliveries_per_s`] = r.deliveriesPerSecond;
    figures[`${key(r)}_p50_ms`] = r.latency.p50;
    figures[`${key(r)}_p99_ms`] = r.latency.p99;
    figures[`${key(r)}_lost`] = r.lost;
    figures[`${key(r)}_runs_healthy`] = r.runs.healthy;
    if (r.kind === 'dead') figures[`${key(r)}_runs_dead`] = r.runs.dead;
    figures[`${key(r)}_inline_share`] = r.inlineShare;
  }
  const floorFigures: Record<string, number | null> = { plain_post_per_s: v.floorRate };
  for (const f of floors) floorFigures[`plain_post_per_s_${f.when}`] = f.perSecond;
  const healthyRuns = results.filter((r) => r.kind === 'healthy').reduce((acc, r) => acc + r.runs.healthy, 0);
  const healthyDeliveries = results.filter((r) => r.kind === 'healthy').reduce((acc, r) => acc + r.allDelivered, 0);
  const burstCpu = results.find((r) => r.kind === 'healthy')?.cpu.cores;
  const cores = (c: Record<string, number> | undefined) =>
    c
      ? Object.entries(c)
          .map(([k, val]) => `${k} ${val.toFixed(2)}`)
          .join(', ')
      : '';

  const healthyMet =
    v.capacityMet === null || v.slowdownMet === null
      ? v.capacityMet === false || v.slowdownMet === false
        ? false
        : null
      : v.capacityMet && v.slowdownMet;
  const targets: TargetResult[] = [
    {
      id: 'webhooks-healthy',
      met: healthyMet,
      measured:
        `${fix0(v.healthyRate)} healthy deliveries/s (burst, median of ${v.healthyRates.length}; target >= ${TARGET_DELIVERIES_PER_SECOND}: ${mark(v.capacityMet)}), ` +
        `${Number.isFinite(v.ratio) ? (v.ratio * 100).toFixed(1) : '-'} % of the plain-POST floor (${fix0(v.floorRate)}/s); ` +
        `dead endpoint: ${pct(v.slowdown)} (median of ${v.brackets.length} bracketed runs: ${v.brackets.map((b) => pct(b.slowdown)).join(', ')}; target < ${TARGET_MAX_SLOWDOWN * 100} %: ${mark(v.slowdownMet)}); ` +
        `${healthyRuns} WebhookDeliveryWorkflows for ${healthyDeliveries} healthy deliveries`,
      numbers: {
        deliveriesPerSecond: v.healthyRate,
        floorPerSecond: v.floorRate,
        ratio: v.ratio,
        deadSlowdownMedian: v.slowdown,
        healthyRuns,
      },
      why:
        healthyMet === false
          ? `CPU (cores) in the first healthy burst: ${cores(burstCpu)}; ${healthyRuns} of ${healthyDeliveries} healthy deliveries went through a workflow`
          : undefined,
    },
    {
      id: 'webhooks-p99-500',
      met: v.latencyMet,
      measured: v.latency
        ? `p50 ${ms(v.latency.latency.p50)} ms, p99 ${v.latency.censored ? '≥ ' : ''}${ms(v.latency.latency.p99)} ms commit → receiver at ${v.latency.offeredRate} deliveries/s offered (${settings.latencySubscriptions} subscription(s)); ` +
          `achieved ${fix0(v.latency.deliveriesPerSecond)}/s, ${v.latency.lost} lost, ${v.latency.runs.healthy} runs (target p99 <= ${TARGET_P99_MS} ms)`
        : 'not measured (BENCH_LATENCY_RATE=0)',
      numbers: v.latency
        ? {
            p50Ms: v.latency.latency.p50,
            p99Ms: v.latency.latency.p99,
            offeredPerSecond: v.latency.offeredRate,
            achievedPerSecond: v.latency.deliveriesPerSecond,
            runs: v.latency.runs.healthy,
          }
        : undefined,
      why:
        v.latencyMet === false && v.latency
          ? `CPU (cores): ${cores(v.latency.cpu.cores)}; ${v.latency.runs.healthy} deliveries went through a workflow`
          : undefined,
    },
  ];
  recordBenchResult('webhooks', {
    figures,
    floors: floorFigures,
    ratios: { healthy_burst_vs_plain_post: v.ratio },
    cpu: {
      ...Object.fromEntries(results.map((r) => [r.key, r.cpu.cores])),
      ...Object.fromEntries(floors.map((f) => [`floor ${f.when}`, f.cpu.cores])),
    },
    targets,
    settings: {
      healthy: settings.healthy,
      burstEvents: settings.burstEvents,
      brackets: settings.brackets,
      latencyRate: settings.latencyRate,
      latencySubscriptions: settings.latencySubscriptions,
      floorConcurrency: floors[0]?.concurrency,
      inlineMaxPerSubscription: ready.inlineMaxPerSubscription,
      inlineAttemptTimeoutMs: ready.inlineAttemptTimeoutMs,
      outboxBatchSize: ready.outboxBatchSize,
      workerEnv: settings.workerEnv,
      workerOptions: settings.workerOptions,
    },
  });
}

runBench(settings.watchdogMs, main);
