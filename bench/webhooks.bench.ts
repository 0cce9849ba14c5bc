import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Pool } from 'pg';
import { webhookDeliveryWorkflowId } from '@app/workflows';
import { type BenchChild, forkChild } from './support/inbound-children';
import { childPids, CpuSampler, type CpuSnapshot } from './support/inbound-cpu';
import { type BenchTemporal, startBenchServices } from './support/infra';
import { runPaced, type WriteRecord } from './support/producer';
import { markdownTable, ms, summarize, type Summary } from './support/stats';
import { recordBenchResult } from './support/results';
import { type DeliveryBreakdown, deliveryBreakdown } from './support/webhooks-history';
import { summarizeCpuProfiles, type ProfileSummary } from './support/webhooks-profile';
import { BenchReceiver } from './support/webhooks-receivers';
import { cleanupAll, cleanups, log, runBench } from './support/bench-process';
import { kvEnv, numEnv, temporalExtraArgsEnv } from './support/env';

/**
 * `npm run bench:webhooks`: outbound webhook delivery through the real pipeline: outbox row committed
 * → relay (OutboxProcessorWorkflow, NOTIFY wake-up) → WebhookOutboxPublisher fan-out (one delivery
 * row and one WebhookDeliveryWorkflow per subscription) → deliverWebhook activity (signed POST) →
 * loopback receivers in this process, on its own Temporal dev server (locally built CLI) and its own
 * PostgreSQL database.
 *
 * Processes: the worker (WorkerModule on the outbox and webhooks task queues) runs in a child process,
 * as in production: its activities (HTTP sends, database bookkeeping), workflow threads and Rust core
 * must not share an event loop with the load generator and the receivers, which would slow both and
 * blur the latency. This process writes the events and hosts the receivers; both timestamps come from
 * its performance.now(), so latency = receipt - commit needs no clock translation.
 *
 * One tenant, BENCH_HEALTHY healthy subscriptions (`contact.*`, receivers answer 204 at once), events
 * `contact.created` written one per transaction (an outbox INSERT: the commit is the domain write's).
 * Scenarios: `healthy` (only those), then `dead` (the same plus one subscription whose endpoint accepts
 * the connection and never answers, so every attempt runs into WEBHOOK_TIMEOUT_MS and is retried on
 * the production policy). Per scenario two load shapes:
 * - paced: BENCH_RATE events/s (x BENCH_HEALTHY deliveries/s offered) for BENCH_SECONDS after
 *   BENCH_WARMUP_SECONDS: end-to-end latency commit -> receipt (p50/p99) and achieved deliveries/s;
 * - burst: BENCH_BURST_EVENTS written as fast as BENCH_WRITERS connections allow: deliveries/s =
 *   healthy deliveries / (last receipt - first write), the capacity.
 * The dead endpoint's slowdown = healthy deliveries/s (burst: against the healthy bursts before and after it, see
 * BENCH_BRACKET) and latency (paced) of `dead` vs `healthy`.
 *
 * Knobs (env): BENCH_HEALTHY (3), BENCH_RATE (5: leaves this 2-core machine room for the dead
 * scenario's extra deliveries, so latency compares like with like), BENCH_SECONDS (12), BENCH_WARMUP_SECONDS (3),
 * BENCH_BURST_EVENTS (1000, 0 skips), BENCH_WRITERS (16), BENCH_SCENARIOS ("healthy,dead"),
 * BENCH_DRAIN_TIMEOUT_MS (120000), BENCH_WEBHOOK_TIMEOUT_MS (15000, the production default),
 * BENCH_WORKER_POOL_SIZE (20), BENCH_WORKER_ENV ("K=V K=V" for the worker, e.g.
 * "WORKER_WEBHOOK_MAX_CONCURRENT_ACTIVITIES=100 OUTBOX_BATCH_SIZE=500"), BENCH_WORKER_OPTIONS (JSON
 * Temporal WorkerOptions per task queue, e.g. '{"webhooks":{"maxCachedWorkflows":5000}}'),
 * BENCH_HISTORY_SAMPLES (60), BENCH_WARMUP_BURST (1: one unreported healthy burst before
 * the measured phases; 0 skips it), BENCH_BRACKET (1: after the dead scenario, pause the dead endpoint and
 * run the healthy burst again; the slowdown compares the dead burst with the mean of the healthy bursts
 * around it, so drift over the run does not count; 0 skips it), BENCH_IDLE_SECONDS (10, CPU with no traffic: at the start, and with only the dead endpoint's own work after its burst), BENCH_SETTLE_MAX_SECONDS (90: before
 * each phase, wait at most this long for worker + server to fall below 0.25 cores),
 * BENCH_PROFILE ("worker": --cpu-prof, summarised), BENCH_PROFILE_DIR (keep the .cpuprofile files there), BENCH_TEMPORAL_EXTRA_ARGS (default in bench/support/env.ts; "-" for
 * none), BENCH_ADMIN_DATABASE_URL, BENCH_WATCHDOG_MS (480000).
 */




type ScenarioKey = 'healthy' | 'dead';
type Shape = 'paced' | 'burst';

const settings = {
  healthy: numEnv('BENCH_HEALTHY', 3, 1),
  rate: numEnv('BENCH_RATE', 5, 1),
  seconds: numEnv('BENCH_SECONDS', 12, 1),
  warmupSeconds: numEnv('BENCH_WARMUP_SECONDS', 3),
  burstEvents: numEnv('BENCH_BURST_EVENTS', 1_000),
  writers: numEnv('BENCH_WRITERS', 16, 1),
  scenarios: (process.env.BENCH_SCENARIOS ?? 'healthy,dead').split(',').map((s) => s.trim()).filter((s): s is ScenarioKey => s === 'healthy' || s === 'dead'),
  drainTimeoutMs: numEnv('BENCH_DRAIN_TIMEOUT_MS', 120_000, 1_000),
  webhookTimeoutMs: numEnv('BENCH_WEBHOOK_TIMEOUT_MS', 15_000, 100),
  workerPoolSize: numEnv('BENCH_WORKER_POOL_SIZE', 20, 1),
  workerEnv: kvEnv('BENCH_WORKER_ENV'),
  workerOptions: process.env.BENCH_WORKER_OPTIONS ?? '',
  historySamples: numEnv('BENCH_HISTORY_SAMPLES', 60),
  idleSeconds: numEnv('BENCH_IDLE_SECONDS', 10),
  settleMaxSeconds: numEnv('BENCH_SETTLE_MAX_SECONDS', 90),
  bracket: numEnv('BENCH_BRACKET', 1) > 0,
  warmUpBurst: numEnv('BENCH_WARMUP_BURST', 1) > 0,
  profile: (process.env.BENCH_PROFILE ?? '').split(',').map((s) => s.trim()).includes('worker'),
  watchdogMs: numEnv('BENCH_WATCHDOG_MS', 480_000, 10_000),
  temporalExtraArgs: temporalExtraArgsEnv(),
};

/** Targets: healthy deliveries/s, and the most the dead endpoint may slow healthy deliveries. */
const TARGET_DELIVERIES_PER_SECOND = 300;
const TARGET_MAX_SLOWDOWN = 0.1;

/** Worker + server cores below which the system counts as settled between phases. */
const SETTLED_CORES = 0.25;

const CPU_COMPONENTS = ['bench (load + receivers)', 'worker', 'temporal', 'postgres (this db)'];



interface PhaseResult {
  scenario: ScenarioKey;
  shape: Shape;
  /** The healthy burst run again after the dead scenario (dead endpoint paused), bracketing it. */
  again: boolean;
  /** Offered events/s (paced); null for a burst. */
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
  /** Requests the hanging endpoint received during the phase (attempts that ran into the timeout). */
  deadAttempts: number;
  /** Healthy deliveries of every event of the phase (warm-up included): what the CPU was spent on. */
  allDelivered: number;
  cpu: { wallSeconds: number; cores: Record<string, number> };
  breakdown?: DeliveryBreakdown;
}

interface Infra {
  pool: Pool;
  tenantId: string;
  worker: BenchChild;
  healthy: { receiver: BenchReceiver; subscriptionId: string }[];
  hanging: BenchReceiver;
  sampler: CpuSampler;
  temporal: BenchTemporal;
}

const CONTACT_NAMES = ['Ana Souza', 'Bruno Lima', 'Carla Dias', 'Davi Rocha', 'Eva Prado'];

/** One contact.created event, committed on its own (autocommit INSERT: its own transaction, with the
 *  outbox trigger's NOTIFY delivered at commit), as CreateContactHandler's transaction commits it. */
async function writeEvent(pool: Pool, tenantId: string, seq: number): Promise<string> {
  const id = randomUUID();
  const contactId = randomUUID();
  const phone = `55119${String(seq).padStart(8, '0')}`;
  const now = new Date().toISOString();
  const payload = {
    id: contactId,
    phone,
    whatsappId: `${phone}@c.us`,
    name: CONTACT_NAMES[seq % CONTACT_NAMES.length],
    profilePictureUrl: null,
    source: 'api',
    createdAt: now,
  };
  await pool.query(
    `INSERT INTO outbox_events (id, tenant_id, aggregate_type, aggregate_id, type, payload, occurred_at) VALUES ($1, $2, 'contact', $3, 'contact.created', $4, $5)`,
    [id, tenantId, contactId, JSON.stringify(payload), now],
  );
  return id;
}

async function drain(infra: Infra, ids: string[], timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const missing = infra.healthy.reduce((acc, { receiver }) => acc + ids.filter((id) => receiver.receivedAt(id) === undefined).length, 0);
    if (missing === 0) return;
    if (performance.now() > deadline) {
      log(`drain: ${missing} healthy deliveries still missing after ${timeoutMs} ms`);
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until the worker and the server are near idle (a burst leaves the server minutes of
 *  closing and visibility work), so a phase does not pay for the one before it. */
async function settle(infra: Infra): Promise<void> {
  const started = performance.now();
  for (;;) {
    const before = await infra.sampler.snapshot();
    await new Promise((r) => setTimeout(r, 1_000));
    const { cores } = CpuSampler.delta(before, await infra.sampler.snapshot());
    const busy = (cores.worker ?? 0) + (cores.temporal ?? 0);
    const waited = (performance.now() - started) / 1_000;
    if (busy < SETTLED_CORES || waited >= settings.settleMaxSeconds) {
      log(`settled in ${waited.toFixed(1)} s (worker + temporal ${busy.toFixed(2)} cores${busy < SETTLED_CORES ? '' : ', gave up waiting'})`);
      return;
    }
  }
}

type Round = 'measured' | 'again' | 'warm-up';

async function runPhase(infra: Infra, scenario: ScenarioKey, shape: Shape, round: Round = 'measured'): Promise<PhaseResult> {
  const again = round === 'again';
  const paced = shape === 'paced';
  const rate = paced ? settings.rate : 1e9;
  const warmupMs = paced ? settings.warmupSeconds * 1_000 : 0;
  const durationMs = paced ? settings.seconds * 1_000 : (settings.burstEvents * 1_000) / rate;
  log(
    paced
      ? `${scenario} / paced: ${settings.rate} events/s (${settings.rate * settings.healthy} healthy deliveries/s) for ${settings.warmupSeconds} s warm-up + ${settings.seconds} s`
      : `${scenario} / burst: ${settings.burstEvents} events (${settings.burstEvents * settings.healthy} healthy deliveries) as fast as ${settings.writers} writers go`,
  );
  const deadBefore = infra.hanging.requests;
  const cpuBefore: CpuSnapshot = await infra.sampler.snapshot();
  const run = await runPaced({ rate, warmupMs, durationMs, writers: settings.writers, write: (seq) =>
      writeEvent(infra.pool, infra.tenantId, seq + (shape === 'burst' ? 5_000_000 : 0) + (scenario === 'dead' ? 10_000_000 : 0) + (again ? 20_000_000 : 0) + (round === 'warm-up' ? 30_000_000 : 0)),
  });
  await drain(
    infra,
    run.writes.map((w) => w.id),
    settings.drainTimeoutMs,
  );
  const cpuAfter = await infra.sampler.snapshot();
  const deadAttempts = infra.hanging.requests - deadBefore;

  const measured: WriteRecord[] = run.writes.filter((w) => w.measured);
  const latencies: number[] = [];
  let lastReceipt = Number.NaN;
  let delivered = 0;
  for (const w of measured) {
    for (const { receiver } of infra.healthy) {
      const at = receiver.receivedAt(w.id);
      if (at === undefined) continue;
      delivered += 1;
      latencies.push(at - w.committedAt);
      if (!(at <= lastReceipt)) lastReceipt = at;
    }
  }
  const windowSeconds = (lastReceipt - run.measuredStart) / 1_000;
  const allDelivered = run.writes.reduce((acc, w) => acc + infra.healthy.filter(({ receiver }) => receiver.receivedAt(w.id) !== undefined).length, 0);
  const expected = measured.length * infra.healthy.length;

  let breakdown: DeliveryBreakdown | undefined;
  if (settings.historySamples > 0 && measured.length > 0) {
    const step = Math.max(1, Math.floor(measured.length / settings.historySamples));
    const sample = measured.filter((_, i) => i % step === 0).slice(0, settings.historySamples);
    const subscriptionId = infra.healthy[0]!.subscriptionId;
    const committed = new Map(sample.map((w) => [webhookDeliveryWorkflowId(subscriptionId, w.id), performance.timeOrigin + w.committedAt]));
    breakdown = await deliveryBreakdown(infra.temporal.env.client, [...committed.keys()], (id) => committed.get(id)).catch((err: unknown) => {
      log(`could not read delivery histories: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    });
  }

  const result: PhaseResult = {
    scenario,
    shape,
    again,
    offeredRate: paced ? settings.rate : null,
    events: measured.length,
    expected,
    delivered,
    lost: expected - delivered,
    duplicates: infra.healthy.reduce((acc, { receiver }) => acc + receiver.duplicates, 0),
    writeErrors: run.errors,
    firstError: run.firstError,
    deliveriesPerSecond: windowSeconds > 0 ? delivered / windowSeconds : Number.NaN,
    windowSeconds,
    latency: summarize(latencies),
    deadAttempts,
    allDelivered,
    cpu: CpuSampler.delta(cpuBefore, cpuAfter),
    breakdown,
  };
  log(
    `${scenario}${round === 'measured' ? '' : ` (${round})`} / ${shape}: ${delivered}/${expected} delivered, ${result.deliveriesPerSecond.toFixed(0)} deliveries/s, ` +
      `p50 ${ms(result.latency.p50)} p99 ${ms(result.latency.p99)} ms, dead-endpoint attempts ${deadAttempts}` +
      (run.errors ? `, ${run.errors} write errors (first: ${run.firstError})` : ''),
  );
  return result;
}

async function deadSubscriptionState(pool: Pool, subscriptionId: string): Promise<string> {
  const { rows } = await pool.query<{ status: string; n: number }>(
    `SELECT status, count(*)::int AS n FROM webhook_deliveries WHERE subscription_id = $1 GROUP BY status ORDER BY status`,
    [subscriptionId],
  );
  const { rows: sub } = await pool.query<{ active: boolean; consecutive_failures: number }>(
    `SELECT active, consecutive_failures FROM webhook_subscriptions WHERE id = $1`,
    [subscriptionId],
  );
  return `deliveries ${rows.map((r) => `${r.status}=${r.n}`).join(', ') || 'none'}; subscription active=${sub[0]?.active} consecutiveFailures=${sub[0]?.consecutive_failures}`;
}

interface ReportFacts {
  postgres: string;
  temporalCli: string;
  totalSeconds: number;
  deadState?: string;
  verified: number;
  verifyFailures: string[];
  profiles: ProfileSummary[];
  idle?: { wallSeconds: number; cores: Record<string, number> };
  /** No traffic, only the dead endpoint's upkeep (after its burst). */
  deadIdle?: { wallSeconds: number; cores: Record<string, number> };
  webhookActivitySlots: unknown;
  webhookWorkflowTaskSlots: unknown;
  outboxBatchSize: unknown;
  /** Deliveries/s of the unreported warm-up burst, when one ran. */
  warmUpRate?: number;
}

/** Takes the dead endpoint out for the bracketing healthy burst: its subscription paused (no new
 *  deliveries) and the runs still retrying against it terminated. */
async function pauseDeadEndpoint(infra: Infra, subscriptionId: string): Promise<void> {
  await infra.pool.query(`UPDATE webhook_subscriptions SET active = false WHERE id = $1`, [subscriptionId]);
  const { rows } = await infra.pool.query<{ event_id: string }>(
    `SELECT event_id FROM webhook_deliveries WHERE subscription_id = $1 AND status IN ('pending', 'failed')`,
    [subscriptionId],
  );
  const client = infra.temporal.env.client;
  await Promise.all(
    rows.map(({ event_id }) =>
      client.workflow
        .getHandle(webhookDeliveryWorkflowId(subscriptionId, event_id))
        .terminate('bench: dead endpoint paused for the bracketing healthy burst')
        .catch(() => undefined),
    ),
  );
  log(`dead endpoint paused; ${rows.length} runs still retrying against it terminated`);
}

function printReport(results: PhaseResult[], facts: ReportFacts): void {
  const label = (r: PhaseResult) => (r.scenario === 'dead' ? `${settings.healthy} healthy + 1 dead` : `${settings.healthy} healthy${r.again ? ' (again)' : ''}`);
  console.log('\n## Outbound webhooks: healthy deliveries through outbox → fan-out → WebhookDeliveryWorkflow → loopback receivers\n');
  console.log(
    markdownTable(
      ['endpoints', 'load', 'events', 'healthy deliveries', 'lost', 'dup', 'deliveries/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'dead-endpoint attempts'],
      results.map((r) => [
        label(r),
        r.shape === 'paced' ? `paced ${r.offeredRate}/s x ${settings.healthy}` : `burst ${r.events}`,
        String(r.events),
        String(r.delivered),
        String(r.lost),
        String(r.duplicates),
        Number.isFinite(r.deliveriesPerSecond) ? r.deliveriesPerSecond.toFixed(0) : '-',
        ms(r.latency.p50),
        ms(r.latency.p95),
        ms(r.latency.p99),
        ms(r.latency.max),
        r.scenario === 'dead' ? String(r.deadAttempts) : '-',
      ]),
    ),
  );
  console.log('(latency = receipt at the healthy receiver - commit of the outbox row, same process and clock; deliveries/s = healthy deliveries of the measured events / (last receipt - first measured write).)');

  const verdicts: string[] = [];
  const find = (scenario: ScenarioKey, shape: Shape) => results.find((r) => r.scenario === scenario && r.shape === shape && !r.again);
  const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
  const burst = find('healthy', 'burst');
  if (burst) {
    const ok = burst.deliveriesPerSecond >= TARGET_DELIVERIES_PER_SECOND && burst.lost === 0;
    verdicts.push(`${ok ? 'MET' : 'MISSED'}: capacity (burst, healthy endpoints only): ${burst.deliveriesPerSecond.toFixed(0)} deliveries/s (target >= ${TARGET_DELIVERIES_PER_SECOND})`);
    // What this machine allows at all: each component's CPU per delivery of the burst, and the rate
    // the cores would sustain if that component were the only one (a ceiling, not a forecast).
    if (burst.allDelivered > 0) {
      const perDelivery = (name: string) => ((burst.cpu.cores[name] ?? 0) * burst.cpu.wallSeconds * 1_000) / burst.allDelivered;
      const server = perDelivery('temporal');
      const all = CPU_COMPONENTS.reduce((acc, n) => acc + perDelivery(n), 0);
      verdicts.push(
        `ceiling on these ${cpus().length} cores: the Temporal server alone uses ${server.toFixed(1)} ms CPU per delivery (at most ` +
          `${((cpus().length * 1_000) / server).toFixed(0)} deliveries/s if nothing else ran); all components ${all.toFixed(1)} ms ` +
          `(${((cpus().length * 1_000) / all).toFixed(0)} deliveries/s)`,
      );
    }
  }
  const pacedBase = find('healthy', 'paced');
  if (pacedBase) {
    const kept = pacedBase.lost === 0 && pacedBase.latency.p99 < 1_000;
    verdicts.push(
      `${kept ? 'sustained' : 'NOT sustained'}: paced ${pacedBase.offeredRate! * settings.healthy} deliveries/s offered: p50 ${ms(pacedBase.latency.p50)} ms, p99 ${ms(pacedBase.latency.p99)} ms from outbox commit to receiver`,
    );
  }
  const burstDead = find('dead', 'burst');
  if (burst && burstDead) {
    // Against the healthy bursts before and (when bracketed) after the dead one: a drift over the run
    // (the dev server's SQLite grows with every phase) is not the dead endpoint's doing.
    const healthyBursts = results.filter((r) => r.scenario === 'healthy' && r.shape === 'burst').map((r) => r.deliveriesPerSecond);
    const base = healthyBursts.reduce((a, b) => a + b, 0) / healthyBursts.length;
    const slowdown = 1 - burstDead.deliveriesPerSecond / base;
    const ok = slowdown < TARGET_MAX_SLOWDOWN && burstDead.lost === 0;
    const against = healthyBursts.length > 1 ? ` than the healthy bursts around it (${healthyBursts.map((v) => v.toFixed(0)).join(' and ')}/s, mean ${base.toFixed(0)}; dead ${burstDead.deliveriesPerSecond.toFixed(0)}/s)` : '';
    verdicts.push(
      `${ok ? 'MET' : 'MISSED'}: dead endpoint, burst: healthy deliveries/s ${(slowdown * 100).toFixed(1)}% lower${against} (target < ${TARGET_MAX_SLOWDOWN * 100}%)` +
        `${burstDead.lost ? `; ${burstDead.lost} healthy deliveries not made within the drain timeout` : ''}`,
    );
  }
  const pacedDead = find('dead', 'paced');
  if (pacedBase && pacedDead) {
    const p50 = pacedDead.latency.p50 / pacedBase.latency.p50 - 1;
    const p99 = pacedDead.latency.p99 / pacedBase.latency.p99 - 1;
    const ok = p50 < TARGET_MAX_SLOWDOWN && pacedDead.lost === 0;
    verdicts.push(
      `${ok ? 'MET' : 'MISSED'}: dead endpoint, paced: healthy latency p50 ${pct(p50)}, p99 ${pct(p99)} (target p50 < +${TARGET_MAX_SLOWDOWN * 100}%)` +
        `${pacedDead.lost ? `; ${pacedDead.lost} healthy deliveries not made within the drain timeout` : ''}`,
    );
  }
  if (facts.warmUpRate !== undefined) verdicts.push(`(warm-up burst before the measured phases, not counted: ${facts.warmUpRate.toFixed(0)} deliveries/s)`);
  console.log(`\n${verdicts.map((v) => `- ${v}`).join('\n')}`);

  const b = (r: PhaseResult) => r.breakdown;
  const pair = (s: Summary) => `${ms(s.p50)} / ${ms(s.p99)}`;
  console.log('\n### Where a healthy delivery spends its time (ms, p50 / p99, from a sample of delivery workflow histories)\n');
  console.log(
    markdownTable(
      ['endpoints', 'load', 'sampled', 'commit → workflow started', 'started → deliver scheduled', 'deliver queued (sched → start)', 'deliver run (start → close)', 'deliver closed → completed'],
      results
        .filter((r) => b(r))
        .map((r) => [
          label(r),
          r.shape,
          String(b(r)!.sampled),
          pair(b(r)!.commitToStart),
          pair(b(r)!.startToScheduled),
          pair(b(r)!.deliverScheduleToStart),
          pair(b(r)!.deliverStartToClose),
          pair(b(r)!.bookkeeping),
        ]),
    ),
  );
  console.log(
    '(commit → started: relay wake-up, claim, fan-out rows and StartWorkflowExecution; "deliver queued": the deliverWebhook activity waiting for a free ' +
      'worker slot (0 when dispatched eagerly): where attempts held by a dead endpoint show; "deliver run": database reads, the signed POST, the ' +
      'attempt record (a success also marks the delivery delivered); "deliver closed → completed": the final workflow task. First attempts only.)',
  );

  console.log('\n### CPU (cores used over each phase, writes to drain)\n');
  console.log(
    markdownTable(
      ['endpoints', 'load', 'wall s', ...CPU_COMPONENTS, 'machine busy', 'other', 'CPU ms / delivery'],
      results.map((r) => {
        const listed = CPU_COMPONENTS.reduce((acc, n) => acc + (r.cpu.cores[n] ?? 0), 0);
        return [
          label(r),
          r.shape,
          r.cpu.wallSeconds.toFixed(1),
          ...CPU_COMPONENTS.map((n) => (r.cpu.cores[n] ?? 0).toFixed(2)),
          (r.cpu.cores['machine busy'] ?? 0).toFixed(2),
          (r.cpu.cores.other ?? 0).toFixed(2),
          r.allDelivered > 0 ? ((listed * r.cpu.wallSeconds * 1_000) / r.allDelivered).toFixed(2) : '-',
        ];
      }),
    ),
  );
  if (facts.idle) {
    const idle = facts.idle;
    console.log(`\nIdle (no traffic, ${idle.wallSeconds.toFixed(0)} s): ${CPU_COMPONENTS.map((n) => `${n} ${(idle.cores[n] ?? 0).toFixed(2)}`).join(', ')} cores.`);
    if (facts.deadIdle) {
      const dead = facts.deadIdle;
      const total = (c: Record<string, number>) => CPU_COMPONENTS.reduce((acc, n) => acc + (c[n] ?? 0), 0);
      const extra = total(dead.cores) - total(idle.cores);
      console.log(
        `Dead endpoint alone (no traffic, ${dead.wallSeconds.toFixed(0)} s after its burst: its runs retrying, held deliveries waiting, the release sweep): ` +
          `${CPU_COMPONENTS.map((n) => `${n} ${(dead.cores[n] ?? 0).toFixed(2)}`).join(', ')} cores; ${extra >= 0 ? '+' : ''}${extra.toFixed(2)} cores over idle ` +
          `(${((extra / cpus().length) * 100).toFixed(1)}% of the machine: the most it can take from healthy deliveries, short of contention).`,
      );
    }
  }
  console.log(`(${cpus().length} cores in all; "CPU ms / delivery" spreads every listed component's CPU over the healthy deliveries of the phase, warm-up included.)`);

  for (const p of facts.profiles) {
    console.log(`\n### Worker CPU profile (${p.file}, ${(p.totalMs / 1_000).toFixed(1)} s sampled)\n`);
    console.log(markdownTable(['area (self time)', 'ms', 'share'], p.byArea.map((r) => [r.name, r.selfMs.toFixed(0), `${(r.share * 100).toFixed(1)}%`])));
    console.log('');
    console.log(markdownTable(['hottest functions (self time)', 'ms', 'share'], p.topFunctions.map((r) => [r.name, r.selfMs.toFixed(0), `${(r.share * 100).toFixed(1)}%`])));
  }

  console.log('\n### Checks\n');
  console.log(`- signatures: ${facts.verified} sampled requests verified with the standardwebhooks library, ${facts.verifyFailures.length} failed${facts.verifyFailures.length ? ` (first: ${facts.verifyFailures[0]})` : ''}`);
  if (facts.deadState) console.log(`- dead endpoint's subscription at the end: ${facts.deadState}`);
  for (const r of results) if (r.writeErrors > 0) console.log(`- ${r.scenario}/${r.shape}: ${r.writeErrors} write errors (first: ${r.firstError})`);

  const cpu = cpus();
  console.log('\n### Machine and settings\n');
  console.log(`- cpus: ${cpu.length} x ${cpu[0]?.model ?? 'unknown'}; memory ${(totalmem() / 2 ** 30).toFixed(1)} GiB; load average at end ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);
  console.log(`- node ${process.version}; PostgreSQL ${facts.postgres}; Temporal dev server from ${facts.temporalCli} (extra args: ${settings.temporalExtraArgs.join(' ') || 'none'})`);
  console.log(
    `- ${settings.healthy} healthy subscriptions (+1 dead in the dead scenario), WEBHOOK_TIMEOUT_MS=${settings.webhookTimeoutMs}, paced ${settings.rate} events/s for ` +
      `${settings.warmupSeconds}+${settings.seconds} s, burst ${settings.burstEvents} events, ${settings.writers} writers; worker: WORKER_TASK_QUEUES=outbox,webhooks, ` +
      `DATABASE_POOL_SIZE=${settings.workerPoolSize}${Object.keys(settings.workerEnv).length ? `, ${Object.entries(settings.workerEnv).map(([k, v]) => `${k}=${v}`).join(', ')}` : ''}` +
      `; webhooks queue activity slots ${facts.webhookActivitySlots}, workflow task slots ${facts.webhookWorkflowTaskSlots}, OUTBOX_BATCH_SIZE ${facts.outboxBatchSize}` +
      `${settings.workerOptions ? `, worker options ${settings.workerOptions}` : ''}; total bench time ${facts.totalSeconds.toFixed(0)} s`,
  );
  console.log(
    '\nCaveat: everything (Temporal dev server on SQLite, PostgreSQL, the worker, the load generator and the receivers) shares this machine; ' +
      'absolute numbers are pessimistic for a real deployment. Compare the scenarios with each other.',
  );
}

async function main(): Promise<void> {
  const started = performance.now();
  if (settings.scenarios.length === 0) throw new Error('BENCH_SCENARIOS must name healthy and/or dead');

  const { temporal, database, bundle } = await startBenchServices(settings.temporalExtraArgs);
  const temporalPid = childPids(process.pid, /temporal/)[0];

  const pool = new Pool({ connectionString: database.url, max: settings.writers + 4 });
  cleanups.push({ name: 'pg pool', run: () => pool.end() });
  const { rows } = await pool.query<{ id: string }>(`INSERT INTO tenants (name) VALUES ('bench webhooks') RETURNING id`);
  const tenantId = rows[0]!.id;

  const receivers: BenchReceiver[] = [];
  cleanups.push({ name: 'receivers', run: () => Promise.all(receivers.map((r) => r.close())).then(() => undefined) });
  for (let i = 0; i < settings.healthy; i++) receivers.push(await BenchReceiver.start(`healthy-${i + 1}`, 'healthy'));
  const hanging = await BenchReceiver.start('dead', 'hanging');
  receivers.push(hanging);

  const keptProfileDir = process.env.BENCH_PROFILE_DIR;
  const profileDir = settings.profile ? (keptProfileDir ?? mkdtempSync(join(tmpdir(), 'crm-bench-webhooks-prof-'))) : undefined;
  if (profileDir && !keptProfileDir) cleanups.push({ name: 'profile dir', run: () => rmSync(profileDir, { recursive: true, force: true }) });
  log('starting the worker (child process)');
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

  const healthy: Infra['healthy'] = [];
  for (const receiver of receivers.filter((r) => r.kind === 'healthy')) {
    const sub = await worker.call<{ id: string; secret: string }>('subscribe', { tenantId, url: receiver.url, eventTypes: ['contact.*'] });
    receiver.useSecret(sub.secret);
    healthy.push({ receiver, subscriptionId: sub.id });
  }
  const sampler = new CpuSampler(async () => {
    const { rows: pids } = await pool.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1`, [database.name]);
    return {
      'bench (load + receivers)': [process.pid],
      worker: [worker.pid],
      temporal: temporalPid ? [temporalPid] : [],
      'postgres (this db)': pids.map((r) => r.pid),
    };
  });
  const infra: Infra = { pool, tenantId, worker, healthy, hanging, sampler, temporal };

  const sampleIdle = async (what: string) => {
    const before = await sampler.snapshot();
    await new Promise((r) => setTimeout(r, settings.idleSeconds * 1_000));
    const cores = CpuSampler.delta(before, await sampler.snapshot());
    log(`${what} CPU: ${Object.entries(cores.cores).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`);
    return cores;
  };
  const idle = settings.idleSeconds > 0 ? await sampleIdle('idle') : undefined;

  // The first burst on a fresh server runs faster than every later one (73-85 deliveries/s, then
  // 64-79 whatever the scenario), which counted against whichever scenario came second: an unreported
  // burst first puts every measured one on the same footing.
  let warmUpRate: number | undefined;
  if (settings.warmUpBurst && settings.burstEvents > 0) {
    await settle(infra);
    warmUpRate = (await runPhase(infra, 'healthy', 'burst', 'warm-up')).deliveriesPerSecond;
  }

  const results: PhaseResult[] = [];
  let deadSubscriptionId: string | undefined;
  for (const scenario of settings.scenarios) {
    if (scenario === 'dead') {
      const sub = await worker.call<{ id: string; secret: string }>('subscribe', { tenantId, url: hanging.url, eventTypes: ['contact.*'] });
      deadSubscriptionId = sub.id;
      log(`dead endpoint subscribed (${sub.id}); every attempt to it waits ${settings.webhookTimeoutMs} ms`);
    }
    await settle(infra);
    results.push(await runPhase(infra, scenario, 'paced'));
    if (settings.burstEvents > 0) {
      await settle(infra);
      results.push(await runPhase(infra, scenario, 'burst'));
    }
  }
  const deadState = deadSubscriptionId ? await deadSubscriptionState(pool, deadSubscriptionId) : undefined;
  // The dead endpoint's own upkeep, without the noise of a burst: its runs retrying, its held
  // deliveries waiting, the release sweep looking at them.
  let deadIdle: typeof idle;
  if (deadSubscriptionId && settings.idleSeconds > 0) {
    await settle(infra);
    deadIdle = await sampleIdle('dead endpoint alone');
  }
  if (settings.bracket && deadSubscriptionId && settings.burstEvents > 0 && settings.scenarios[0] === 'healthy') {
    await pauseDeadEndpoint(infra, deadSubscriptionId);
    await settle(infra);
    results.push(await runPhase(infra, 'healthy', 'burst', 'again'));
  }
  const verified = healthy.reduce((acc, h) => acc + h.receiver.verified, 0);
  const verifyFailures = healthy.flatMap((h) => h.receiver.verifyFailures);

  log('shutting down');
  await hanging.close();
  await worker.stop();
  const profiles = profileDir ? summarizeCpuProfiles(profileDir) : [];
  await cleanupAll();
  printReport(results, {
    postgres: database.serverVersion,
    temporalCli: temporal.cliPath,
    totalSeconds: (performance.now() - started) / 1_000,
    deadState,
    verified,
    verifyFailures,
    profiles,
    idle,
    deadIdle,
    webhookActivitySlots: worker.ready.webhookActivitySlots,
    webhookWorkflowTaskSlots: worker.ready.webhookWorkflowTaskSlots,
    outboxBatchSize: worker.ready.outboxBatchSize,
    warmUpRate,
  });
  recordWebhooksResult(results);
}

/** bench/results/webhooks.json (support/results.ts): the phases' figures and the issue-11 target. */
function recordWebhooksResult(results: PhaseResult[]): void {
  const find = (scenario: ScenarioKey, shape: Shape) => results.find((r) => r.scenario === scenario && r.shape === shape && !r.again);
  const burst = find('healthy', 'burst');
  const burstDead = find('dead', 'burst');
  const healthyBursts = results.filter((r) => r.scenario === 'healthy' && r.shape === 'burst').map((r) => r.deliveriesPerSecond);
  const base = healthyBursts.length ? healthyBursts.reduce((a, b) => a + b, 0) / healthyBursts.length : Number.NaN;
  const slowdown = burstDead ? 1 - burstDead.deliveriesPerSecond / base : Number.NaN;
  const figures: Record<string, number | null> = {};
  for (const r of results) {
    const key = `${r.scenario}_${r.shape}${r.again ? '_again' : ''}`;
    figures[`${key}_deliveries_per_s`] = r.deliveriesPerSecond;
    figures[`${key}_p50_ms`] = r.latency.p50;
    figures[`${key}_p99_ms`] = r.latency.p99;
    figures[`${key}_lost`] = r.lost;
  }
  const capacityMet = burst ? burst.deliveriesPerSecond >= TARGET_DELIVERIES_PER_SECOND && burst.lost === 0 : undefined;
  const slowdownMet = burstDead ? slowdown < TARGET_MAX_SLOWDOWN && burstDead.lost === 0 : undefined;
  const met = capacityMet === undefined || slowdownMet === undefined ? (capacityMet === false || slowdownMet === false ? false : null) : capacityMet && slowdownMet;
  recordBenchResult('webhooks', {
    figures: { ...figures, dead_slowdown: slowdown, healthy_burst_mean_per_s: base },
    cpu: Object.fromEntries(results.map((r) => [`${r.scenario} ${r.shape}${r.again ? ' again' : ''}`, r.cpu.cores])),
    targets: [
      {
        id: 'webhooks-healthy',
        met,
        measured:
          `${burst ? burst.deliveriesPerSecond.toFixed(0) : '-'} healthy deliveries/s (burst; target ${TARGET_DELIVERIES_PER_SECOND}); dead endpoint: ` +
          (burstDead ? `${(slowdown * 100).toFixed(1)} % slower than the mean of ${healthyBursts.length} healthy burst(s) around it (target < ${TARGET_MAX_SLOWDOWN * 100} %)` : 'not measured') +
          '; ONE bracketed run (the target asks the median of 3: run it three times)',
        numbers: { deliveriesPerSecond: burst?.deliveriesPerSecond ?? null, deadSlowdown: burstDead ? slowdown : null, healthyBurstMean: base },
        why: met === false && burst ? `CPU (cores) in the healthy burst: ${Object.entries(burst.cpu.cores).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}` : undefined,
      },
    ],
    settings: { healthy: settings.healthy, rate: settings.rate, burstEvents: settings.burstEvents, bracket: settings.bracket, workerOptions: settings.workerOptions },
  });
}

runBench(settings.watchdogMs, main);
