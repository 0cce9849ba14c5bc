import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { inboundMessageWorkflowId } from '@app/workflows';
import { type BenchTemporal, startBenchServices } from './support/infra';
import { type BenchChild, forkBenchWorker, forkChild } from './support/inbound-children';
import { childPids, CpuSampler, type CpuSnapshot } from './support/inbound-cpu';
import { summarizeProfiles, type ProfileSummary } from './support/inbound-profile';
import { profileSagas, type SagaProfileSummary } from './support/inbound-saga-history';
import {
  type BenchChannel,
  type CommitGauge,
  InboundTraffic,
  type LoadPhaseResult,
  runMaxPosts,
  runPacedPosts,
  WebhookPoster,
} from './support/inbound-traffic';
import { markdownTable, ms, summarize, type Summary } from './support/stats';
import {
  type FloorContext,
  type FloorKey,
  type FloorResult,
  runPgFloor,
  runReceiverFloor,
  runSagaFloor,
} from './support/floor-phases';
import { type CapturedTransaction, transactionStatements } from './support/floor-pg';
import { recordBenchResult, type TargetResult, verdict } from './support/results';
import { benchWorkerOptions } from './support/worker-options';
import { cleanupAll, cleanups, log, runBench } from './support/bench-process';
import { kvEnv, numEnv, temporalExtraArgsEnv } from './support/env';
import type { CapturedStatement } from './support/inbound-api';

/**
 * `npm run bench:inbound`: WAHA `message` webhooks through the real receiver
 * (POST /v1/channels/{id}/waha/events), in saga mode and in direct mode, in one run.
 *
 * Processes: this one only generates load and reads results; the API (createApiApp) and the worker
 * (WorkerModule, every task queue) each run in their own child process, as in production, on their
 * own Temporal dev server (locally built CLI) and their own PostgreSQL database. Two tenants, each
 * with one channel created through the REST API: one `inboundMode: 'saga'`, one `'direct'`.
 *
 * Per mode: a paced phase per rate of BENCH_RATES (open loop, absolute schedule, after a warm-up; a
 * rate both modes sustain, for the latency comparison, and the 200/s target), then a max-throughput
 * phase (closed loop: at most BENCH_MAX_CONCURRENCY messages posted and not committed). ~30% of
 * messages come from new contacts, the rest from contacts that already wrote.
 *
 * Latency = messages.created_at - POST start. created_at is stamped by the writing process's clock
 * (Node `new Date()` in CreateMessageHandler: the API process in direct mode, the worker in saga mode)
 * just before its transaction's last statements and COMMIT; the POST start is this process's
 * Date.now() right before the request is written. Same host, same system clock, ms resolution.
 *
 * Knobs (env): BENCH_RATES ("20,200": paced phases, per mode), BENCH_SECONDS (15),
 * BENCH_WARMUP_SECONDS (3), BENCH_MAX_SECONDS (10, 0 skips), BENCH_MAX_CONCURRENCY (32 messages posted and not committed), BENCH_MAX_IN_FLIGHT (128
 * requests, paced), BENCH_MAX_BACKLOG_SECONDS (2: a paced phase stops early, bounded, once that many
 * seconds of messages are uncommitted), BENCH_NEW_CONTACT_SHARE (0.3), BENCH_MODES ("direct,saga"),
 * BENCH_DRAIN_TIMEOUT_MS (30000), BENCH_IDLE_SECONDS (3, CPU with no traffic), BENCH_SAGA_SAMPLES (40),
 * BENCH_API_POOL_SIZE (20), BENCH_WORKER_POOL_SIZE (20), BENCH_WORKER_ENV / BENCH_API_ENV (extra
 * "K=V K=V" for the child), BENCH_PROFILE ("worker", "api" or "worker,api": --cpu-prof, summarised
 * at the end), BENCH_PROFILE_DIR (keep the .cpuprofile files there), BENCH_TEMPORAL_EXTRA_ARGS
 * (dev-server arguments; the default raises history.transferProcessorMaxPollRPS, see bench/support/env.ts; "-" for
 * none), BENCH_ADMIN_DATABASE_URL, BENCH_WATCHDOG_MS (420000), BENCH_DATABASE_ROLE ("app": the apps
 * connect as crm_app under row-level security; "owner": as the admin, which bypasses it).
 *
 * Floors (support/floor-phases.ts), the same work done the plainest way, in the same run, each in
 * its own child process(es), saturated at BENCH_MAX_CONCURRENCY: the receiver floor (Nest on Express,
 * the API's body parsing, 202 without work) before the modes; the plain-pg floor (the direct-mode
 * transaction, captured from the API's `pg` traffic in this run and replayed through a Pool of
 * BENCH_API_POOL_SIZE) after direct mode; the no-op-workflow floor (bench/floors, ONE local
 * activity, started like a saga, its own worker process and bundle) after saga mode. The floors
 * table prints each ratio with the CPU split per process; bench/results/inbound.json gets the
 * figures and the issue-11 targets (support/results.ts). Knobs: BENCH_FLOORS ("receiver,pg,saga"),
 * BENCH_FLOOR_SECONDS (BENCH_MAX_SECONDS), BENCH_SHOW_SQL (print the captured statements),
 * BENCH_TEMPORAL_DB ("memory" or "file"), BENCH_TEMPORAL_PRAGMAS ("repo", "on", "off"; see
 * support/infra.ts), BENCH_WORKER_OPTIONS (JSON WorkerOptions per task queue for the real and the
 * floor worker; support/worker-options.ts), BENCH_RESULTS_DIR.
 */

type ModeKey = 'saga' | 'direct';

const settings = {
  /** Paced rates, each run per mode: a rate both modes sustain (the latency comparison) and the target. */
  rates: (process.env.BENCH_RATES ?? '20,200')
    .split(',')
    .map((r) => Number(r.trim()))
    .filter((r) => Number.isFinite(r) && r > 0),
  seconds: numEnv('BENCH_SECONDS', 15, 1),
  warmupSeconds: numEnv('BENCH_WARMUP_SECONDS', 3),
  maxSeconds: numEnv('BENCH_MAX_SECONDS', 10),
  maxConcurrency: numEnv('BENCH_MAX_CONCURRENCY', 32, 1),
  maxInFlight: numEnv('BENCH_MAX_IN_FLIGHT', 128, 1),
  newShare: numEnv('BENCH_NEW_CONTACT_SHARE', 0.3),
  modes: (process.env.BENCH_MODES ?? 'direct,saga')
    .split(',')
    .map((s) => s.trim())
    .filter((s): s is ModeKey => s === 'saga' || s === 'direct'),
  drainTimeoutMs: numEnv('BENCH_DRAIN_TIMEOUT_MS', 30_000, 1_000),
  maxBacklogSeconds: numEnv('BENCH_MAX_BACKLOG_SECONDS', 2, 0.1),
  idleSeconds: numEnv('BENCH_IDLE_SECONDS', 3),
  sagaSamples: numEnv('BENCH_SAGA_SAMPLES', 40),
  apiPoolSize: numEnv('BENCH_API_POOL_SIZE', 20, 1),
  workerPoolSize: numEnv('BENCH_WORKER_POOL_SIZE', 20, 1),
  workerEnv: kvEnv('BENCH_WORKER_ENV'),
  apiEnv: kvEnv('BENCH_API_ENV'),
  profile: (process.env.BENCH_PROFILE ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
  watchdogMs: numEnv('BENCH_WATCHDOG_MS', 420_000, 10_000),
  temporalExtraArgs: temporalExtraArgsEnv(),
  /** Floors measured in this run (each next to its mode): receiver, pg (direct transaction), saga. */
  floors: (process.env.BENCH_FLOORS ?? 'receiver,pg,saga')
    .split(',')
    .map((s) => s.trim())
    .filter((s): s is FloorKey => s === 'receiver' || s === 'pg' || s === 'saga'),
  floorSeconds: numEnv('BENCH_FLOOR_SECONDS', Number(process.env.BENCH_MAX_SECONDS ?? 10) || 10, 1),
  /** Whom the api and worker connect as: `app` (crm_app, row-level security applies: as deployed) or
   *  `owner` (the admin superuser: the policies are bypassed), to measure what the policies cost. */
  databaseRole: (process.env.BENCH_DATABASE_ROLE ?? 'app') === 'owner' ? ('owner' as const) : ('app' as const),
};

/** Earlier target: saga sustains >= 200 msg/s (paced). Issue 11's (the summary's): saga p50 <= 3 x
 *  direct p50 at a rate both sustain; direct >= 1,000 msg/s and >= 25 % of its plain-pg floor; saga
 *  >= 80 % of the no-op-workflow floor. */
const TARGET_SAGA_RATE = 200;
const TARGET_P50_RATIO = 3;
const TARGET_DIRECT_RATE = 1_000;
const TARGET_DIRECT_FLOOR_SHARE = 0.25;
const TARGET_SAGA_FLOOR_SHARE = 0.8;

/** The processes the benchmark accounts CPU to (the rest of the machine is "other"); the floor
 *  columns are the floors' child processes (receiver, pg client, workflow starter; floor worker). */
const CPU_COMPONENTS = ['bench (load)', 'api', 'worker', 'temporal', 'postgres (this db)', 'floor', 'floor worker'];
const CPU_SHORT: Record<string, string> = {
  'bench (load)': 'load',
  'postgres (this db)': 'pg',
  'floor worker': 'floor wkr',
};

/** "api 0.85, pg 0.40, ..." (cores, largest first, under 0.01 left out), other included. */
function cpuSplit(cpu: Record<string, number> | undefined): string {
  if (!cpu) return '-';
  return [...CPU_COMPONENTS, 'other']
    .map((n) => [CPU_SHORT[n] ?? n, cpu[n] ?? 0] as const)
    .filter(([, v]) => v >= 0.01)
    .sort((a, b) => b[1] - a[1])
    .map(([n, v]) => `${n} ${v.toFixed(2)}`)
    .join(', ');
}

interface PhaseResult {
  mode: ModeKey;
  phase: 'paced' | 'max';
  label: string;
  /** Offered rate of a paced phase (0 for the closed loop). */
  rate: number;
  /** Offered rate (paced) or in-flight requests (max). */
  target: string;
  sent: number;
  accepted: number;
  errors: number;
  firstError?: string;
  committed: number;
  lost: number;
  acceptedPerSecond: number;
  committedPerSecond: number;
  latency: Summary;
  httpMs: Summary;
  scheduleLagMs: Summary;
  /** p50 latency of the first and last fifth of the measured messages (a growing backlog shows here). */
  firstFifthP50: number;
  lastFifthP50: number;
  newContacts: number;
  cpu?: Record<string, number>;
  /** CPU of the listed components over the CPU window / messages committed in it. */
  cpuMsPerMessage?: number;
  sagasFailed?: number;
  stoppedEarly?: string;
}

interface ModeContext {
  channel: BenchChannel;
  traffic: InboundTraffic;
}

interface Infra {
  db: Client;
  gaugeDb: Client;
  temporal: BenchTemporal;
  poster: WebhookPoster;
  sampler: CpuSampler;
}

async function createChannel(
  apiUrl: string,
  apiKey: string,
  mode: ModeKey,
): Promise<{ id: string; webhookSecret: string }> {
  const res = await fetch(`${apiUrl}/v1/channels`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: JSON.stringify({ name: `Bench ${mode}`, wahaBaseUrl: 'http://127.0.0.1:1', inboundMode: mode }),
  });
  const body = (await res.json()) as { id: string; webhookSecret: string };
  if (res.status !== 201) throw new Error(`channel creation failed: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

const sleep = (delayMs: number) => new Promise<void>((r) => setTimeout(r, delayMs));

/** Waits (bounded) until every accepted message of the phase has a committed row; returns created_at per external id. */
async function waitForCommits(
  db: Client,
  channelId: string,
  externalIds: string[],
  timeoutMs: number,
): Promise<Map<string, number>> {
  const deadline = performance.now() + timeoutMs;
  let found = 0;
  while (performance.now() < deadline) {
    const { rows } = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM messages WHERE channel_id = $1 AND external_id = ANY($2)`,
      [channelId, externalIds],
    );
    found = Number(rows[0].n);
    if (found >= externalIds.length) break;
    await sleep(250);
  }
  const { rows } = await db.query<{ external_id: string; created_at: Date }>(
    `SELECT external_id, created_at FROM messages WHERE channel_id = $1 AND external_id = ANY($2)`,
    [channelId, externalIds],
  );
  return new Map(rows.map((r) => [r.external_id, r.created_at.getTime()]));
}

/** Bounded wait until no saga runs any more (their optional steps finish after the message row). */
async function waitForSagas(infra: Infra, timeoutMs: number): Promise<{ running: number; failed: number }> {
  const client = infra.temporal.env.client;
  const deadline = performance.now() + timeoutMs;
  let running = 0;
  while (performance.now() < deadline) {
    running = (
      await client.workflow.count(`WorkflowType = 'ProcessInboundMessageSaga' AND ExecutionStatus = 'Running'`)
    ).count;
    if (running === 0) break;
    await sleep(250);
  }
  const failed = (
    await client.workflow.count(
      `WorkflowType = 'ProcessInboundMessageSaga' AND ExecutionStatus != 'Running' AND ExecutionStatus != 'Completed'`,
    )
  ).count;
  return { running, failed };
}

/** Polls the channel's committed message count (every ~50 ms) while a phase runs. */
function startCommitGauge(db: Client, channelId: string): { gauge: CommitGauge; stop(): Promise<void> } {
  let baseline: number | undefined;
  let current = 0;
  let stopped = false;
  const count = async () =>
    Number(
      (await db.query<{ n: string }>(`SELECT count(*) AS n FROM messages WHERE channel_id = $1`, [channelId])).rows[0]
        .n,
    );
  const loop = (async () => {
    baseline = await count();
    while (!stopped) {
      current = (await count()) - baseline;
      await sleep(50);
    }
  })();
  return {
    gauge: { committed: () => current },
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

async function runPhase(
  mode: ModeKey,
  phase: 'paced' | 'max',
  rate: number,
  ctx: ModeContext,
  infra: Infra,
  failedBefore: number,
): Promise<{ result: PhaseResult; run: LoadPhaseResult; createdAt: Map<string, number> }> {
  const warmupMs = settings.warmupSeconds * 1_000;
  const contactsBefore = ctx.traffic.contacts;
  const maxWarmupMs = Math.min(warmupMs, 2_000);
  const commits = startCommitGauge(infra.gaugeDb, ctx.channel.channelId);
  // CPU window: from the end of the warm-up (or the phase start, if it never ends) until the phase's
  // messages are committed, with the commits in that window counted by the gauge.
  const phaseStart = { snapshot: await infra.sampler.snapshot(), committed: 0 };
  let cpuStart: { snapshot: CpuSnapshot; committed: number } | undefined;
  const cpuTimer = setTimeout(
    () =>
      void infra.sampler.snapshot().then((snapshot) => (cpuStart = { snapshot, committed: commits.gauge.committed() })),
    phase === 'paced' ? warmupMs + 20 : maxWarmupMs,
  );
  const run =
    phase === 'paced'
      ? await runPacedPosts({
          poster: infra.poster,
          traffic: ctx.traffic,
          rate,
          warmupMs,
          durationMs: settings.seconds * 1_000,
          maxInFlight: settings.maxInFlight,
          gauge: commits.gauge,
          maxBacklog: Math.max(100, Math.round(rate * settings.maxBacklogSeconds)),
          maxLagMs: settings.maxBacklogSeconds * 1_000,
        })
      : await runMaxPosts({
          send: (measured) => infra.poster.post(ctx.traffic, measured),
          warmupMs: maxWarmupMs,
          durationMs: settings.maxSeconds * 1_000,
          concurrency: settings.maxConcurrency,
          maxMessages: 50_000,
          gauge: commits.gauge,
        });
  clearTimeout(cpuTimer);
  if (run.stoppedEarly) log(`${mode} ${phase}: stopped sending early: ${run.stoppedEarly}`);

  const accepted = run.records.filter((r) => r.status === 202);
  const createdAt = await waitForCommits(
    infra.db,
    ctx.channel.channelId,
    accepted.map((r) => r.externalId),
    settings.drainTimeoutMs,
  );
  const cpuEnd = await infra.sampler.snapshot();
  await commits.stop();
  const window = cpuStart ?? phaseStart;
  const cpuDelta = CpuSampler.delta(window.snapshot, cpuEnd);
  const committedInWindow = commits.gauge.committed() - window.committed;
  const listedCores = CPU_COMPONENTS.reduce((acc, n) => acc + (cpuDelta.cores[n] ?? 0), 0);
  const cpuMsPerMessage =
    committedInWindow > 0 ? (listedCores * cpuDelta.wallSeconds * 1_000) / committedInWindow : Number.NaN;
  let sagasFailed: number | undefined;
  if (mode === 'saga') {
    const sagas = await waitForSagas(infra, settings.drainTimeoutMs);
    if (sagas.running > 0) log(`saga ${phase}: ${sagas.running} sagas still running after the drain timeout`);
    sagasFailed = sagas.failed - failedBefore;
  }

  const measured = run.records.filter((r) => r.measured);
  const measuredAccepted = measured.filter((r) => r.status === 202);
  const committed = measuredAccepted.filter((r) => createdAt.has(r.externalId));
  const latencies = committed.map((r) => createdAt.get(r.externalId)! - r.postStartEpoch);
  const byPostTime = [...committed].sort((a, b) => a.postStartEpoch - b.postStartEpoch);
  const fifth = Math.max(1, Math.floor(byPostTime.length / 5));
  const p50Of = (rs: typeof committed) => summarize(rs.map((r) => createdAt.get(r.externalId)! - r.postStartEpoch)).p50;
  const lastAnswer = measured.reduce((acc, r) => Math.max(acc, r.postStartEpoch + r.httpMs), run.measuredStartEpoch);
  const lastCommit = committed.reduce((acc, r) => Math.max(acc, createdAt.get(r.externalId)!), run.measuredStartEpoch);
  const errors = measured.filter((r) => r.status !== 202);
  const result: PhaseResult = {
    mode,
    phase,
    label: phase === 'paced' ? `paced ${rate}/s` : `max, ${settings.maxConcurrency} in system`,
    target: phase === 'paced' ? String(rate) : '-',
    rate,
    sent: measured.length,
    accepted: measuredAccepted.length,
    errors: errors.length,
    firstError: errors[0]?.error,
    committed: committed.length,
    lost: measuredAccepted.length - committed.length,
    acceptedPerSecond: measuredAccepted.length / Math.max(1e-3, (lastAnswer - run.measuredStartEpoch) / 1_000),
    committedPerSecond: committed.length / Math.max(1e-3, (lastCommit - run.measuredStartEpoch) / 1_000),
    latency: summarize(latencies),
    httpMs: summarize(measured.map((r) => r.httpMs)),
    scheduleLagMs: summarize(run.scheduleLagMs),
    firstFifthP50: p50Of(byPostTime.slice(0, fifth)),
    lastFifthP50: p50Of(byPostTime.slice(-fifth)),
    newContacts: ctx.traffic.contacts - contactsBefore,
    cpu: cpuDelta.cores,
    cpuMsPerMessage,
    sagasFailed,
    stoppedEarly: run.stoppedEarly,
  };
  log(
    `${mode} ${result.label}: sent=${result.sent} accepted/s=${result.acceptedPerSecond.toFixed(1)} committed/s=${result.committedPerSecond.toFixed(1)} ` +
      `p50=${ms(result.latency.p50)} p95=${ms(result.latency.p95)} p99=${ms(result.latency.p99)} max=${ms(result.latency.max)} ms ` +
      `errors=${result.errors} lost=${result.lost}${result.firstError ? ` (first: ${result.firstError})` : ''}`,
  );
  return { result, run, createdAt };
}

function printReport(
  results: PhaseResult[],
  idleCpu: Record<string, number> | undefined,
  sagaProfile: SagaProfileSummary | undefined,
  profiles: { name: string; summary: ProfileSummary }[],
  facts: { postgres: string; temporalCli: string; temporalArgs: string[]; temporalDb: string; totalSeconds: number },
): void {
  console.log('\n## Inbound webhooks: POST -> committed message (ms)\n');
  console.log(
    markdownTable(
      [
        'mode',
        'phase',
        'target /s',
        'sent',
        'accepted /s',
        'committed /s',
        'p50',
        'p95',
        'p99',
        'max',
        'errors',
        'lost',
      ],
      results.map((r) => [
        r.mode,
        r.label,
        r.target,
        String(r.sent),
        r.acceptedPerSecond.toFixed(1),
        r.committedPerSecond.toFixed(1),
        ms(r.latency.p50),
        ms(r.latency.p95),
        ms(r.latency.p99),
        ms(r.latency.max),
        String(r.errors),
        String(r.lost),
      ]),
    ),
  );
  console.log(
    '\nLatency clock: messages.created_at (stamped by the writing process, Node `new Date()` in CreateMessageHandler, just before ' +
      'its INSERT and COMMIT; API process in direct mode, worker process in saga mode) minus Date.now() in the load generator just ' +
      'before the POST; one host, one system clock, 1 ms resolution. accepted /s = 202 answers over the measured window; committed /s ' +
      '= committed rows over the window from its start to the last commit (a backlog drains into it); lost = accepted but no row ' +
      `within ${settings.drainTimeoutMs} ms.`,
  );

  const failures = [
    ...results
      .filter((r) => r.stoppedEarly)
      .map(
        (r) =>
          `${r.mode} ${r.label}: OVERLOADED, sending stopped early (${r.stoppedEarly}); committed /s is what it sustained while the backlog drained.`,
      ),
    ...results.filter((r) => r.firstError).map((r) => `${r.mode} ${r.label}: first error: ${r.firstError}`),
  ];
  if (failures.length) console.log(`\n${failures.map((f) => `Note: ${f}`).join('\n')}`);

  console.log('\n### Verdict\n');
  const maxSaga = results.find((r) => r.mode === 'saga' && r.phase === 'max');
  for (const rate of settings.rates) {
    const pacedSaga = results.find((r) => r.mode === 'saga' && r.phase === 'paced' && r.rate === rate);
    const pacedDirect = results.find((r) => r.mode === 'direct' && r.phase === 'paced' && r.rate === rate);
    if (pacedSaga && pacedDirect) {
      const ratio = pacedSaga.latency.p50 / pacedDirect.latency.p50;
      const overloaded = pacedSaga.stoppedEarly || pacedDirect.stoppedEarly;
      console.log(
        `- ${rate}/s: saga/direct p50 ratio ${ratio.toFixed(2)} (${ms(pacedSaga.latency.p50)} / ${ms(pacedDirect.latency.p50)} ms), ` +
          `p95 ratio ${(pacedSaga.latency.p95 / pacedDirect.latency.p95).toFixed(2)}, p99 ratio ${(pacedSaga.latency.p99 / pacedDirect.latency.p99).toFixed(2)}; ` +
          `target p50 <= ${TARGET_P50_RATIO}x: ${ratio <= TARGET_P50_RATIO ? 'MET' : 'MISSED'}${overloaded ? ' (overloaded: these latencies are queueing)' : ''}`,
      );
    }
    if (pacedSaga) {
      const backlog = pacedSaga.lastFifthP50 > 2 * pacedSaga.firstFifthP50 + 50;
      // committed /s spans the window up to the last commit, so the latency tail pulls it a little under the rate.
      const sustained =
        !pacedSaga.stoppedEarly &&
        pacedSaga.committedPerSecond >= 0.9 * rate &&
        pacedSaga.errors === 0 &&
        pacedSaga.lost === 0 &&
        !backlog;
      console.log(
        `- ${rate}/s: saga ${sustained ? 'sustained' : 'did NOT sustain'} it: committed ${pacedSaga.committedPerSecond.toFixed(1)}/s, errors ${pacedSaga.errors}, lost ${pacedSaga.lost}, ` +
          `p50 first/last fifth ${ms(pacedSaga.firstFifthP50)}/${ms(pacedSaga.lastFifthP50)} ms${backlog ? ' (backlog grows)' : ''}${pacedSaga.stoppedEarly ? ', overloaded (stopped early)' : ''}` +
          (rate >= TARGET_SAGA_RATE
            ? `; target saga >= ${TARGET_SAGA_RATE}/s sustained: ${sustained ? 'MET' : 'MISSED'}`
            : ''),
      );
    }
  }
  if (!settings.rates.some((r) => r >= TARGET_SAGA_RATE))
    console.log(`- target saga >= ${TARGET_SAGA_RATE}/s sustained: NOT TESTED (no rate in BENCH_RATES reaches it)`);
  const maxDirect = results.find((r) => r.mode === 'direct' && r.phase === 'max');
  if (maxSaga || maxDirect) {
    console.log(
      `- capacity (closed loop, at most ${settings.maxConcurrency} messages posted and not committed): ` +
        [
          maxSaga && `saga ${maxSaga.committedPerSecond.toFixed(1)}/s`,
          maxDirect && `direct ${maxDirect.committedPerSecond.toFixed(1)}/s`,
        ]
          .filter(Boolean)
          .join(', '),
    );
  }

  console.log('\n### Diagnostics\n');
  console.log(
    markdownTable(
      [
        'mode',
        'phase',
        'HTTP p50',
        'HTTP p99',
        'schedule lag p99',
        'p50 first/last fifth',
        'new contacts',
        'sagas failed',
        'latency min',
      ],
      results.map((r) => [
        r.mode,
        r.label,
        ms(r.httpMs.p50),
        ms(r.httpMs.p99),
        r.phase === 'paced' ? ms(r.scheduleLagMs.p99) : '-',
        `${ms(r.firstFifthP50)} / ${ms(r.lastFifthP50)}`,
        String(r.newContacts),
        r.sagasFailed === undefined ? '-' : String(r.sagasFailed),
        ms(r.latency.min),
      ]),
    ),
  );
  console.log(
    '(HTTP = POST -> answer: in direct mode the answer comes after the commit AND the lifecycle signal-with-start; in saga mode ' +
      'right after the workflow start. new contacts counts warm-up too.)',
  );

  const cpuRows = results.filter((r) => r.cpu);
  if (idleCpu)
    cpuRows.unshift({
      mode: '(idle)',
      label: `no traffic, ${settings.idleSeconds} s`,
      cpu: idleCpu,
    } as unknown as PhaseResult);
  if (cpuRows.length) {
    const names = [...CPU_COMPONENTS, 'other', 'machine busy'];
    console.log(`\n### CPU, cores used during the measured window (${cpus().length} cores on this machine)\n`);
    console.log(
      markdownTable(
        ['mode', 'phase', ...names, 'CPU ms / committed msg'],
        cpuRows.map((r) => [
          r.mode,
          r.label,
          ...names.map((n) => (r.cpu![n] ?? 0).toFixed(2)),
          r.cpuMsPerMessage === undefined ? '-' : ms(r.cpuMsPerMessage),
        ]),
      ),
    );
    console.log(
      '(/proc utime+stime per process, all threads; postgres = the backends connected to the bench database; other = busy time of ' +
        'everything else on the machine; window = end of warm-up to last commit of the phase; CPU ms / committed msg = CPU of the five ' +
        'listed components in the window over the messages committed in it, idle cost included.)',
    );
  }

  if (sagaProfile && sagaProfile.samples > 0) {
    console.log(
      `\n### Saga round trips (${sagaProfile.samples} sagas of the ${sagaProfile.rate ?? '?'}/s paced phase, from their histories; server clock)\n`,
    );
    console.log(
      `- per saga (p50): ${sagaProfile.events.p50} history events, ${sagaProfile.workflowTasks.p50} workflow tasks, ` +
        `${sagaProfile.activities.p50} activities, ${sagaProfile.localActivities.p50} local activities`,
    );
    console.log(
      '\n' +
        markdownTable(
          ['span', 'per saga', 'p50', 'p95', 'max'],
          sagaProfile.spans.map((s) => [
            s.name,
            s.perSaga.toFixed(1),
            ms(s.summary.p50),
            ms(s.summary.p95),
            ms(s.summary.max),
          ]),
        ),
    );
  }

  for (const { name, summary } of profiles) {
    console.log(
      `\n### CPU profile: ${name} (${summary.files} JS threads, ${(summary.totalMs / 1_000).toFixed(1)} s sampled, idle excluded)\n`,
    );
    console.log(
      markdownTable(
        ['where', 'self ms', 'share'],
        summary.byArea.map((a) => [a.name, a.ms.toFixed(0), `${(a.share * 100).toFixed(1)} %`]),
      ),
    );
    console.log(
      '\n' +
        markdownTable(
          ['function', 'self ms', 'share'],
          summary.byFunction.map((a) => [a.name, a.ms.toFixed(0), `${(a.share * 100).toFixed(1)} %`]),
        ),
    );
  }

  const cpu = cpus();
  console.log('\n### Machine and settings\n');
  console.log(
    `- cpus: ${cpu.length} x ${cpu[0]?.model ?? 'unknown'}; memory ${(totalmem() / 2 ** 30).toFixed(1)} GiB; load average at end: ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    `- node ${process.version}; PostgreSQL ${facts.postgres}; Temporal dev server from ${facts.temporalCli} (${facts.temporalDb} SQLite; ${facts.temporalArgs.join(' ') || 'no extra arguments'})`,
  );
  console.log(
    `- per paced rate (${settings.rates.join(', ')} /s): ${settings.warmupSeconds} s warm-up + ${settings.seconds} s (at most ${settings.maxInFlight} requests in flight; stops early ` +
      `when ${settings.maxBacklogSeconds} s of messages are uncommitted or sends run ${settings.maxBacklogSeconds} s late), then ${settings.maxSeconds} s ` +
      `closed loop with at most ${settings.maxConcurrency} messages in the system; ${Math.round(settings.newShare * 100)} % new contacts; ` +
      `DB pools api ${settings.apiPoolSize} / worker ${settings.workerPoolSize} as ${settings.databaseRole === 'app' ? 'crm_app (row-level security on)' : 'the admin (row-level security bypassed)'}; ` +
      `LOG_LEVEL=warn; total ${facts.totalSeconds.toFixed(0)} s`,
  );
  const extra = [
    ...Object.entries(settings.workerEnv).map(([k, v]) => `worker ${k}=${v}`),
    ...Object.entries(settings.apiEnv).map(([k, v]) => `api ${k}=${v}`),
  ];
  if (extra.length) console.log(`- extra child env: ${extra.join(', ')}`);
  const workerOptions = benchWorkerOptions();
  if (Object.keys(workerOptions.perQueue).length)
    console.log(
      `- BENCH_WORKER_OPTIONS (per task queue; the saga floor's worker takes the inbound queue's): ${JSON.stringify(workerOptions.perQueue)}`,
    );
  console.log(
    '\nCaveat: one shared 2-core machine runs the load generator, the API, the worker, PostgreSQL and the Temporal dev server ' +
      '(and whatever else runs there: see "other"); absolute numbers are pessimistic and noisy, compare the modes.',
  );
}

/** The floors table, the issue-11 targets, and what goes into bench/results/inbound.json. */
function printFloors(results: PhaseResult[], floors: FloorResult[], capture: DirectCapture) {
  const floor = (key: FloorKey) => floors.find((f) => f.key === key);
  const max = (mode: ModeKey) => results.find((r) => r.mode === mode && r.phase === 'max');
  const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(0)} %` : '-');
  const receiver = floor('receiver');
  const pg = floor('pg');
  const sagaFloor = floor('saga');
  const direct = max('direct');
  const saga = max('saga');

  console.log('\n## Floors: the same work done the plainest way, same run, same concurrency\n');
  const rows: string[][] = [];
  const ratios: Record<string, number | null> = {};
  if (receiver) {
    for (const r of [direct, saga]) {
      if (!r) continue;
      ratios[`${r.mode}_receiver_vs_floor`] = r.acceptedPerSecond / receiver.rate;
      rows.push([
        `receiver, ${r.mode} mode (202 /s)`,
        r.acceptedPerSecond.toFixed(0),
        receiver.rate.toFixed(0),
        pct(r.acceptedPerSecond / receiver.rate),
        cpuSplit(r.cpu),
        cpuSplit(receiver.cpu),
      ]);
    }
    if (!direct && !saga)
      rows.push(['receiver (202 /s)', '-', receiver.rate.toFixed(0), '-', '-', cpuSplit(receiver.cpu)]);
  }
  if (pg) {
    ratios.direct_vs_pg_floor = direct ? direct.committedPerSecond / pg.rate : null;
    rows.push([
      'direct mode (msg/s) vs plain-pg tx',
      direct ? direct.committedPerSecond.toFixed(0) : '-',
      pg.rate.toFixed(0),
      direct ? pct(direct.committedPerSecond / pg.rate) : '-',
      cpuSplit(direct?.cpu),
      cpuSplit(pg.cpu),
    ]);
  }
  if (sagaFloor) {
    ratios.saga_vs_noop_floor = saga ? saga.committedPerSecond / sagaFloor.rate : null;
    rows.push([
      'saga mode (msg/s) vs no-op workflow',
      saga ? saga.committedPerSecond.toFixed(0) : '-',
      sagaFloor.rate.toFixed(0),
      saga ? pct(saga.committedPerSecond / sagaFloor.rate) : '-',
      cpuSplit(saga?.cpu),
      cpuSplit(sagaFloor.cpu),
    ]);
  }
  console.log(
    markdownTable(
      ['figure', 'measured', 'floor', 'ratio', 'CPU split, measured (cores)', 'CPU split, floor (cores)'],
      rows,
    ),
  );
  console.log(
    '\n' +
      markdownTable(
        ['floor', 'rate', 'count', 'errors', 'p50 ms', 'p99 ms', 'in system'],
        floors.map((f) => [
          f.label,
          `${f.rate.toFixed(0)} ${f.unit}`,
          String(f.count),
          String(f.errors),
          ms(f.latency.p50),
          ms(f.latency.p99),
          String(f.concurrency),
        ]),
      ),
  );
  console.log(
    "(measured = the mode's closed-loop max phase: 202 answers /s for the receiver rows, committed messages /s otherwise; floors: receiver = " +
      "Nest on Express with the API's body parsing answering 202 at the receiver's path, own process; plain-pg = the direct-mode " +
      "transaction's statements, as captured, through a pg Pool of the API's size, own process; no-op workflow = ONE local activity, " +
      'started like a saga from its own process (grpc-js client), run by its own worker process; p50 = answer, transaction, start -> ' +
      'activity ran. CPU split = cores per process over the measured window, "other" = the rest of the machine.)',
  );
  const notes: string[] = [];
  for (const [name, tx] of [
    ['new contact', capture.newContact],
    ['returning contact', capture.returning],
  ] as const) {
    const line = `direct-mode transaction, ${name}: ${tx.statements.length} statements (START TRANSACTION .. COMMIT) captured in the API process in this run; the plain-pg floor replays them${process.env.BENCH_SHOW_SQL ? '' : ' (BENCH_SHOW_SQL=1 lists them)'}`;
    notes.push(line);
    console.log(`- ${line}`);
  }
  for (const f of floors.filter((x) => x.firstError)) console.log(`- Note: ${f.label}: first error: ${f.firstError}`);

  // Issue-11 targets.
  const targets: TargetResult[] = [];
  if (direct && pg) {
    const share = direct.committedPerSecond / pg.rate;
    const met = direct.committedPerSecond >= TARGET_DIRECT_RATE && share >= TARGET_DIRECT_FLOOR_SHARE;
    targets.push({
      id: 'direct-saturated',
      met,
      measured: `${direct.committedPerSecond.toFixed(0)} msg/s (target ${TARGET_DIRECT_RATE}), ${pct(share)} of the plain-pg floor's ${pg.rate.toFixed(0)} tx/s (target ${pct(TARGET_DIRECT_FLOOR_SHARE)})`,
      numbers: { msgPerSecond: direct.committedPerSecond, floorTxPerSecond: pg.rate, share },
      why: met ? undefined : `CPU split (cores): direct ${cpuSplit(direct.cpu)}; floor ${cpuSplit(pg.cpu)}`,
    });
  } else
    targets.push({
      id: 'direct-saturated',
      met: null,
      measured: 'not measured (needs the direct max phase and the pg floor)',
    });
  if (saga && sagaFloor) {
    const share = saga.committedPerSecond / sagaFloor.rate;
    const met = share >= TARGET_SAGA_FLOOR_SHARE;
    targets.push({
      id: 'saga-saturated',
      met,
      measured: `${saga.committedPerSecond.toFixed(0)} msg/s, ${pct(share)} of the no-op-workflow floor's ${sagaFloor.rate.toFixed(0)} wf/s (target ${pct(TARGET_SAGA_FLOOR_SHARE)})`,
      numbers: { msgPerSecond: saga.committedPerSecond, floorPerSecond: sagaFloor.rate, share },
      why: met ? undefined : `CPU split (cores): saga ${cpuSplit(saga.cpu)}; floor ${cpuSplit(sagaFloor.cpu)}`,
    });
  } else
    targets.push({
      id: 'saga-saturated',
      met: null,
      measured: 'not measured (needs the saga max phase and the saga floor)',
    });
  const sustained = (r: PhaseResult | undefined) =>
    !!r &&
    !r.stoppedEarly &&
    r.committedPerSecond >= 0.9 * r.rate &&
    r.errors === 0 &&
    r.lost === 0 &&
    !(r.lastFifthP50 > 2 * r.firstFifthP50 + 50);
  const both = settings.rates
    .map((rate) => ({
      rate,
      saga: results.find((r) => r.mode === 'saga' && r.phase === 'paced' && r.rate === rate),
      direct: results.find((r) => r.mode === 'direct' && r.phase === 'paced' && r.rate === rate),
    }))
    .filter((x) => sustained(x.saga) && sustained(x.direct));
  const highest = both.sort((a, b) => b.rate - a.rate)[0];
  if (highest) {
    const ratio = highest.saga!.latency.p50 / highest.direct!.latency.p50;
    const all = both.map((x) => `${x.rate}/s: ${(x.saga!.latency.p50 / x.direct!.latency.p50).toFixed(2)}`).join(', ');
    targets.push({
      id: 'saga-direct-p50',
      met: ratio <= TARGET_P50_RATIO,
      measured: `${ratio.toFixed(2)} at ${highest.rate}/s (${ms(highest.saga!.latency.p50)} / ${ms(highest.direct!.latency.p50)} ms; the highest rate both sustain; all: ${all})`,
      numbers: {
        ratio,
        rate: highest.rate,
        sagaP50: highest.saga!.latency.p50,
        directP50: highest.direct!.latency.p50,
      },
    });
  } else
    targets.push({
      id: 'saga-direct-p50',
      met: null,
      measured: 'not measured (no paced rate that both modes sustained)',
    });

  console.log('\n### Issue-11 targets (inbound)\n');
  console.log(
    markdownTable(
      ['target', 'verdict', 'measured', 'why (when missed)'],
      targets.map((t) => [t.id, verdict(t.met), t.measured, t.why ?? '']),
    ),
  );

  const figures: Record<string, number | null> = {};
  for (const r of results) {
    const key = `${r.mode}_${r.phase === 'max' ? 'max' : `paced_${r.rate}`}`;
    figures[`${key}_committed_per_s`] = r.committedPerSecond;
    figures[`${key}_accepted_per_s`] = r.acceptedPerSecond;
    figures[`${key}_p50_ms`] = r.latency.p50;
    figures[`${key}_p99_ms`] = r.latency.p99;
  }
  const floorFigures: Record<string, number | null> = {};
  for (const f of floors) {
    floorFigures[`${f.key}_per_s`] = f.rate;
    floorFigures[`${f.key}_p50_ms`] = f.latency.p50;
  }
  const cpu: Record<string, unknown> = {};
  for (const r of results) cpu[`${r.mode} ${r.label}`] = r.cpu;
  for (const f of floors) cpu[f.label] = f.cpu;
  return { figures, floorFigures, ratios, cpu, targets, notes };
}

interface DirectCapture {
  tenantId: string;
  channelId: string;
  newContact: CapturedTransaction;
  returning: CapturedTransaction;
}

/** The real direct-mode transaction, captured in the API process: one post from a new contact, then
 *  one from the same contact again (the traffic has no other contact yet). */
async function captureDirectStatements(
  api: BenchChild,
  poster: WebhookPoster,
  ctx: ModeContext,
): Promise<DirectCapture> {
  const one = async (forceNew: boolean): Promise<CapturedTransaction> => {
    await api.call('captureStart');
    const record = await poster.post(ctx.traffic, false, 10_000, forceNew);
    const all = await api.call<CapturedStatement[]>('captureStop');
    if (record.status !== 202) throw new Error(`capture post failed: ${record.error}`);
    const statements = transactionStatements(all);
    if (process.env.BENCH_SHOW_SQL) {
      console.log(
        `\n-- direct mode, ${forceNew ? 'new' : 'returning'} contact: ${all.length} statements, ${statements.length} in the transaction`,
      );
      for (const st of all)
        console.log(
          `${st.text.replace(/\s+/g, ' ')}${st.values?.length ? `  -- [${st.values.map((v) => String(v).slice(0, 60)).join(', ')}]` : ''}`,
        );
    }
    return { statements, phone: record.phone, rawId: record.externalId.slice(record.externalId.lastIndexOf('_') + 1) };
  };
  const newContact = await one(true);
  const returning = await one(false);
  if (returning.phone !== newContact.phone)
    throw new Error('capture: the returning post did not come from the captured new contact');
  return { tenantId: ctx.channel.tenantId, channelId: ctx.channel.channelId, newContact, returning };
}

async function main(): Promise<void> {
  const started = performance.now();
  if (settings.modes.length === 0) throw new Error('BENCH_MODES must name saga and/or direct');

  const { temporal, database, bundle } = await startBenchServices(settings.temporalExtraArgs);
  const temporalPid = childPids(process.pid, /temporal/)[0];

  const keptProfileDir = process.env.BENCH_PROFILE_DIR;
  const profileDir = settings.profile.length
    ? (keptProfileDir ?? mkdtempSync(join(tmpdir(), 'crm-bench-prof-')))
    : undefined;
  if (profileDir && !keptProfileDir)
    cleanups.push({ name: 'profile dir', run: () => rmSync(profileDir, { recursive: true, force: true }) });
  const profArgs = (name: string) =>
    profileDir && settings.profile.includes(name) ? ['--cpu-prof', '--cpu-prof-dir', join(profileDir, name)] : [];

  const common = {
    DATABASE_URL: settings.databaseRole === 'app' ? database.appUrl : database.url,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_ENSURE_NAMESPACE: 'false',
    LOG_LEVEL: 'warn',
    SECRETS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    INBOUND_MODE: 'saga',
    INBOUND_SAGA_PERCENT: '100',
    // The bench channel's WAHA is a loopback placeholder (never called).
    WAHA_ALLOWED_CIDRS: '127.0.0.1/32',
  };
  log('starting the worker child process (WorkerModule, every task queue)');
  const worker: BenchChild = await forkBenchWorker(
    {
      ...common,
      DATABASE_POOL_SIZE: String(settings.workerPoolSize),
      WORKFLOW_BUNDLE_PATH: bundle.path,
      ...settings.workerEnv,
    },
    { execArgv: profArgs('worker'), log },
  );
  cleanups.push({ name: 'worker process', run: () => worker.stop() });
  log(`starting the API child process (createApiApp on 127.0.0.1)`);
  const api: BenchChild = await forkChild(
    'api',
    join(__dirname, 'support/inbound-api.js'),
    { ...common, DATABASE_POOL_SIZE: String(settings.apiPoolSize), PORT: '0', ...settings.apiEnv },
    { execArgv: profArgs('api'), log },
  );
  cleanups.push({ name: 'api process', run: () => api.stop() });
  const apiUrl = String(api.ready.url);

  const db = new Client({ connectionString: database.url });
  await db.connect();
  cleanups.push({ name: 'bench db client', run: () => db.end() });
  const gaugeDb = new Client({ connectionString: database.url });
  await gaugeDb.connect();
  cleanups.push({ name: 'bench gauge db client', run: () => gaugeDb.end() });

  const contexts = new Map<ModeKey, ModeContext>();
  for (const [i, mode] of (['saga', 'direct'] as const).entries()) {
    const { tenantId, apiKey } = await api.call<{ tenantId: string; apiKey: string }>('createTenant', {
      name: `Bench ${mode}`,
    });
    const created = await createChannel(apiUrl, apiKey, mode);
    const channel: BenchChannel = { mode, tenantId, channelId: created.id, webhookSecret: created.webhookSecret };
    contexts.set(mode, { channel, traffic: new InboundTraffic(channel, settings.newShare, `55119${i + 7}`) });
  }
  // The pg floor writes under a tenant and channel of its own (direct mode, so its rows are the direct mode's kind).
  const floorTenant = await api.call<{ tenantId: string; apiKey: string }>('createTenant', { name: 'Bench floor' });
  const floorChannel = await createChannel(apiUrl, floorTenant.apiKey, 'direct');
  log(
    `API at ${apiUrl}; tenants and channels created (saga ${contexts.get('saga')!.channel.channelId}, direct ${contexts.get('direct')!.channel.channelId}, floor ${floorChannel.id})`,
  );

  const poster = new WebhookPoster(apiUrl, Math.max(settings.maxInFlight, settings.maxConcurrency));
  cleanups.push({ name: 'http agent', run: () => poster.close() });

  // The real direct-mode transaction's statements, captured in the API process around a few posts.
  const sqlCapture = await captureDirectStatements(api, poster, contexts.get('direct')!);
  const floorPids: FloorContext['floorPids'] = { floor: [], floorWorker: [] };
  const sampler = new CpuSampler(async () => {
    const { rows } = await db.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1`, [
      database.name,
    ]);
    return {
      'bench (load)': [process.pid],
      api: [api.pid],
      worker: [worker.pid],
      temporal: temporalPid ? [temporalPid] : [],
      'postgres (this db)': rows.map((r) => r.pid),
      floor: floorPids.floor,
      'floor worker': floorPids.floorWorker,
    };
  });
  const infra: Infra = { db, gaugeDb, temporal, poster, sampler };

  let idleCpu: Record<string, number> | undefined;
  if (settings.idleSeconds > 0) {
    // What the system costs with no traffic (pollers, timers, the outbox sweep): the floor under every row.
    const before = await sampler.snapshot();
    await sleep(settings.idleSeconds * 1_000);
    idleCpu = CpuSampler.delta(before, await sampler.snapshot()).cores;
  }

  const floorCtx: FloorContext = {
    sampler,
    floorPids,
    childEnv: { TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: 'default' },
    concurrency: settings.maxConcurrency,
    warmupMs: Math.min(settings.warmupSeconds * 1_000, 2_000),
    durationMs: settings.floorSeconds * 1_000,
  };
  const floors: FloorResult[] = [];
  const runFloor = async (key: FloorKey) => {
    if (!settings.floors.includes(key)) return;
    log(`floor ${key}: ${settings.floorSeconds} s closed loop, at most ${settings.maxConcurrency} in the system`);
    try {
      const floor =
        key === 'receiver'
          ? await runReceiverFloor(floorCtx)
          : key === 'pg'
            ? await runPgFloor(floorCtx, {
                databaseUrl: database.url,
                poolSize: settings.apiPoolSize,
                captured: sqlCapture,
                tenantId: floorTenant.tenantId,
                channelId: floorChannel.id,
                newShare: settings.newShare,
              })
            : await runSagaFloor(floorCtx, settings.drainTimeoutMs);
      floors.push(floor);
      log(
        `floor ${key}: ${floor.rate.toFixed(1)} ${floor.unit}, p50 ${ms(floor.latency.p50)} ms, errors ${floor.errors}${floor.firstError ? ` (first: ${floor.firstError})` : ''}`,
      );
    } catch (err) {
      log(`floor ${key} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    await sleep(1_000);
  };
  // Each floor next to its mode: the receiver first (no side effects), the pg floor after direct mode,
  // the saga floor after saga mode.
  await runFloor('receiver');

  const results: PhaseResult[] = [];
  let sagaProfile: SagaProfileSummary | undefined;
  for (const mode of settings.modes) {
    const ctx = contexts.get(mode)!;
    let failedBefore = 0;
    if (mode === 'saga') failedBefore = (await waitForSagas(infra, 1_000)).failed;
    for (const rate of settings.rates) {
      log(`${mode}: ${settings.warmupSeconds} s warm-up + ${settings.seconds} s at ${rate}/s`);
      const paced = await runPhase(mode, 'paced', rate, ctx, infra, failedBefore);
      results.push(paced.result);
      if (mode === 'saga' && settings.sagaSamples > 0 && !sagaProfile) {
        // From the first (lowest by default) rate: the spans of a saga that does not queue.
        const sagas = paced.run.records
          .filter((r) => r.measured && paced.createdAt.has(r.externalId))
          .map((r) => ({
            workflowId: inboundMessageWorkflowId(ctx.channel.channelId, r.externalId),
            postStartEpoch: r.postStartEpoch,
          }));
        sagaProfile = await profileSagas(temporal.env.client, sagas, settings.sagaSamples);
        sagaProfile.rate = rate;
      }
      if (mode === 'saga') failedBefore = (await waitForSagas(infra, 1_000)).failed;
      await sleep(1_000);
    }
    if (settings.maxSeconds > 0) {
      log(`${mode}: ${settings.maxSeconds} s closed loop, at most ${settings.maxConcurrency} messages in the system`);
      results.push((await runPhase(mode, 'max', 0, ctx, infra, failedBefore)).result);
    }
    await sleep(1_000);
    await runFloor(mode === 'direct' ? 'pg' : 'saga');
  }
  for (const key of ['pg', 'saga'] as const) {
    if (!settings.modes.includes(key === 'pg' ? 'direct' : 'saga')) await runFloor(key);
  }

  log('stopping the API and worker processes');
  await api.stop();
  await worker.stop();
  const profiles: { name: string; summary: ProfileSummary }[] = [];
  for (const name of ['worker', 'api']) {
    const summary =
      profileDir && settings.profile.includes(name) ? summarizeProfiles(join(profileDir, name)) : undefined;
    if (summary) profiles.push({ name, summary });
  }
  await cleanupAll();
  const facts = {
    postgres: database.serverVersion,
    temporalCli: temporal.cliPath,
    temporalArgs: temporal.args,
    temporalDb: temporal.db,
    totalSeconds: (performance.now() - started) / 1_000,
  };
  printReport(results, idleCpu, sagaProfile, profiles, facts);
  const summary = printFloors(results, floors, sqlCapture);
  recordBenchResult('inbound', {
    figures: summary.figures,
    floors: summary.floorFigures,
    ratios: summary.ratios,
    cpu: summary.cpu,
    targets: summary.targets,
    settings: {
      rates: settings.rates,
      seconds: settings.seconds,
      maxSeconds: settings.maxSeconds,
      floorSeconds: settings.floorSeconds,
      concurrency: settings.maxConcurrency,
      apiPoolSize: settings.apiPoolSize,
      workerPoolSize: settings.workerPoolSize,
      temporalArgs: temporal.args,
      temporalDb: temporal.db,
      workerOptions: benchWorkerOptions().perQueue,
      workerEnv: settings.workerEnv,
      apiEnv: settings.apiEnv,
    },
    notes: summary.notes,
  });
}

runBench(settings.watchdogMs, main);
