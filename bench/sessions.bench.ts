import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { bundleWorkflowCode } from '@temporalio/worker';
import { type WorkflowClient } from '@temporalio/client';
import { repoRoot, startBenchServices } from './support/infra';
import { type BenchChild, forkBenchWorker, forkChild } from './support/inbound-children';
import { childPids, CpuSampler } from './support/inbound-cpu';
import { mb } from './support/import-sampling';
import { RssTimeline } from './support/sessions-sampling';
import { WebhookPoster } from './support/inbound-traffic';
import { buildSessionMessage, type SessionsChannel } from './support/sessions-traffic';
import { type SessionTimerInput } from './floors/session-timer.workflow';
import { recordBenchResult } from './support/results';
import { markdownTable, ms, summarize, type Summary } from './support/stats';
import { cleanupAll, cleanups, log, runBench } from './support/bench-process';
import { kvEnv, numEnv, temporalExtraArgsEnv } from './support/env';

/**
 * `npm run bench:sessions`: BENCH_SESSIONS (10,000) sessions open at once on ONE worker, each waiting
 * on its inactivity deadline, against the floor of as many plain Temporal timers.
 *
 * Processes: this one generates the load and measures; the API (createApiApp) and the worker
 * (WorkerModule, every task queue) each run in their own child process, on the bench's own Temporal
 * dev server (locally built CLI) and its own migrated PostgreSQL database.
 *
 * The sessions: one tenant, one `inboundMode: 'direct'` channel created through the REST API, no
 * warning lead (no WAHA needed), no debounce. One signed WAHA `message` webhook each from BENCH_SESSIONS
 * distinct contacts through the real receiver (POST /v1/channels/{id}/waha/events), closed loop with
 * at most BENCH_SESSIONS_CONCURRENCY requests in flight: each opens a session and its lifecycle workflow. The
 * deadlines (= the message's WhatsApp timestamp, its sentAt, + the channel's session timeout) are
 * spread evenly over BENCH_SESSIONS_SPREAD_SECONDS starting W0, after the load, a settle time and an idle
 * window: each message's timestamp is chosen as (its planned deadline - timeout), whole seconds as
 * WAHA sends them, and the timeout (one channel, created after the warm-up) is large enough that every
 * timestamp is in the past when it is posted (a message delivered late, as after a WAHA reconnect).
 * W0 comes from a warm-up on a scratch channel (60 s timeout, deadlines 8 s out, all ended before the
 * load): its open rate gives the load's time budget (x1.3).
 *
 * Figures:
 * - worker RSS: VmRSS every 500 ms; before = just before the load; peak open/idle = highest sample from
 *   the load's start to the first deadline (all sessions open, then idle); at idle end = the sample at the
 *   end of the idle window (all open, no traffic, 2 s before the first deadline); peak ending = first deadline
 *   to the last end; after = 5 s after the last end. The dev server's RSS the same way.
 * - lateness = end instant - true deadline; true deadline = sessions.last_activity_at + timeout_seconds
 *   (the row's ended_at is the deadline itself for an inactivity end, so it is not used). End instant
 *   (the headline figure) = the Temporal close time of the `session:{id}` workflow (server clock, as the
 *   floor's); also shown: the `session.ended` outbox row's created_at (clock_timestamp() when the end's
 *   transaction inserted it: wall clock, the database's). Same host, same clock.
 * - idle CPU: /proc utime+stime per process (worker, api, dev server, the bench database's backends,
 *   this process) over the last BENCH_SESSIONS_IDLE_SECONDS before the first deadline, once the load is done,
 *   the outbox drained and the worker and dev server quiet: every session open and waiting on its
 *   timer, no traffic. The same window with no session at all (before the load) for the baseline.
 * - open rate = sessions accepted (202) / (last answer - first POST).
 *
 * The floor, same run, after the sessions (API and worker stopped first): SessionTimerFloorWorkflow
 * (bench/floors/session-timer.workflow.ts, bundled on its own, never in the production bundle) on its
 * own worker process (support/sessions-floor-worker.ts: one Worker, SDK defaults as the production
 * worker's) and task queue: sleep until the deadline, one no-op local activity. Started by this
 * process's client (same concurrency), same warm-up, same deadline pattern relative to its own W0; the
 * same RSS, idle CPU and lateness (close time - deadline) figures. Ratios: sessions / floor.
 *
 * Knobs (env; the sessions-only ones prefixed, as `npm run bench` passes every BENCH_* to every bench):
 * BENCH_SESSIONS (10000), BENCH_SESSIONS_SPREAD_SECONDS (180), BENCH_SESSIONS_IDLE_SECONDS (30, idle
 * CPU window with the sessions open), BENCH_SESSIONS_IDLE0_SECONDS (10, with none),
 * BENCH_SESSIONS_CONCURRENCY (32), BENCH_SESSIONS_WARMUP (300 sessions), BENCH_SESSIONS_LOAD_SLACK
 * (1.3), BENCH_SESSIONS_SETTLE_MAX_SECONDS (30), BENCH_SESSIONS_DRAIN_TIMEOUT_MS (120000, after the
 * last deadline), BENCH_SESSIONS_FLOOR (1; 0 skips it), BENCH_SESSIONS_WATCHDOG_MS (2400000); shared
 * with the other benches: BENCH_API_POOL_SIZE (20), BENCH_WORKER_POOL_SIZE (20), BENCH_WORKER_ENV /
 * BENCH_API_ENV ("K=V K=V"), BENCH_WORKER_OPTIONS (support/worker-options.ts; the floor worker takes
 * the `sessions` entry), BENCH_TEMPORAL_EXTRA_ARGS (see bench/support/env.ts; "-" for none),
 * BENCH_ADMIN_DATABASE_URL, BENCH_RESULTS_DIR (bench/results: sessions.json via support/results.ts).
 */

const settings = {
  sessions: numEnv('BENCH_SESSIONS', 10_000, 1),
  spreadSeconds: numEnv('BENCH_SESSIONS_SPREAD_SECONDS', 180, 1),
  idleSeconds: numEnv('BENCH_SESSIONS_IDLE_SECONDS', 30, 1),
  idle0Seconds: numEnv('BENCH_SESSIONS_IDLE0_SECONDS', 10, 0),
  concurrency: numEnv('BENCH_SESSIONS_CONCURRENCY', 32, 1),
  warmup: numEnv('BENCH_SESSIONS_WARMUP', 300, 1),
  loadSlack: numEnv('BENCH_SESSIONS_LOAD_SLACK', 1.3, 1),
  settleMaxSeconds: numEnv('BENCH_SESSIONS_SETTLE_MAX_SECONDS', 30, 1),
  drainTimeoutMs: numEnv('BENCH_SESSIONS_DRAIN_TIMEOUT_MS', 120_000, 1_000),
  floor: numEnv('BENCH_SESSIONS_FLOOR', 1) > 0,
  apiPoolSize: numEnv('BENCH_API_POOL_SIZE', 20, 1),
  workerPoolSize: numEnv('BENCH_WORKER_POOL_SIZE', 20, 1),
  workerEnv: kvEnv('BENCH_WORKER_ENV'),
  apiEnv: kvEnv('BENCH_API_ENV'),
  watchdogMs: numEnv('BENCH_SESSIONS_WATCHDOG_MS', 2_400_000, 10_000),
  temporalExtraArgs: temporalExtraArgsEnv(),
};

/** Targets of the issue (item 5). */
const TARGET_RSS_KB = 1024 * 1024;
const TARGET_P99_MS = 2_000;

/** Warm-up deadlines are this far out; the load budget is measured on the warm-up. */
const WARMUP_DEADLINE_MS = 8_000;
/** The idle window ends this long before the first deadline. */
const IDLE_END_MARGIN_MS = 2_000;
/** An idle window shorter than this is not reported. */
const MIN_IDLE_MS = 5_000;
/** "Quiet" (settled after the load): worker (or floor worker) + dev server below this many cores over a 1 s slice. */
const QUIET_CORES = 0.25;
const FLOOR_TASK_QUEUE = 'bench-session-timer-floor';
const FLOOR_WORKFLOW_TYPE = 'SessionTimerFloorWorkflow';
const SESSION_WORKFLOW_TYPE = 'SessionLifecycleWorkflow';

const sleep = (delayMs: number) => new Promise<void>((r) => setTimeout(r, delayMs));
const fixed = (v: number, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : '-');
const pct = (cores: number | undefined) => fixed((cores ?? Number.NaN) * 100, 1);
const GOLDEN = (Math.sqrt(5) - 1) / 2;

type Group = 'warmup' | 'main';

/** What differs between the sessions and the floor: how one is opened, counted as ended, and measured. */
interface Driver {
  name: 'sessions' | 'floor';
  /** Called before the warm-up. */
  prepareWarmup(): Promise<void>;
  /** Called once the warm-up is over, with the latest deadline the load will use. */
  prepareMain(latestDeadlineMs: number): Promise<void>;
  /** Opens one (index `i` of `group`) whose deadline is `deadlineMs` (a whole second); an error message on failure. */
  open(group: Group, i: number, deadlineMs: number): Promise<string | undefined>;
  countEnded(group: Group): Promise<number>;
  /** Waits (bounded) until whatever the load left behind is done (the outbox drained). */
  settle(untilPerf: number): Promise<void>;
  /** What is seen when the ends do not all come. */
  describe(group: Group): Promise<string>;
  collect(): Promise<Collected>;
  /** The processes whose idle CPU is compared (worker first), and the RSS timeline's names. */
  workerName: string;
}

interface Collected {
  /** close time - true deadline, ms (the headline). */
  closeLateness: number[];
  /** session.ended outbox created_at - true deadline, ms (sessions only). */
  outboxLateness?: number[];
  /** Ended ones without a close time (or outbox row). */
  missingClose: number;
  missingOutbox?: number;
  endReasons?: Record<string, number>;
  /** True deadlines that differ from the planned one. */
  deadlineMismatches?: number;
}

interface ScenarioResult {
  name: 'sessions' | 'floor';
  opened: number;
  errors: number;
  firstError?: string;
  openSeconds: number;
  openPerSecond: number;
  warmupPerSecond: number;
  /** Opens whose deadline was less than 5 s away when posted (the load overran its budget). */
  lateOpens: number;
  timeoutSeconds?: number;
  ended: number;
  endedAll: boolean;
  watchdogSeen?: string;
  rss: {
    worker: { beforeKb: number; peakOpenKb: number; idleKb: number; peakEndingKb: number; afterKb: number };
    temporal: { beforeKb: number; peakOpenKb: number; idleKb: number; peakEndingKb: number; afterKb: number };
    api?: { beforeKb: number; peakOpenKb: number };
  };
  idle0?: { seconds: number; cores: Record<string, number> };
  idle?: { seconds: number; cores: Record<string, number> };
  idleNote?: string;
  ending?: { seconds: number; cores: Record<string, number> };
  settleSeconds: number;
  collected: Collected;
  closeLateness: Summary;
  outboxLateness?: Summary;
  maxCachedWorkflows?: number;
}

/** Deadline offsets in [0, spread): index i -> frac(i * golden ratio), whole seconds, evenly covering the spread in any prefix. */
function deadlineOffsetMs(i: number): number {
  const frac = (i * GOLDEN) % 1;
  return Math.floor(frac * settings.spreadSeconds) * 1_000;
}

async function runConcurrent(count: number, concurrency: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      await work(i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, lane));
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, pollMs = 250): Promise<boolean> {
  const until = performance.now() + timeoutMs;
  while (performance.now() < until) {
    if (await check()) return true;
    await sleep(pollMs);
  }
  const ok = await check();
  if (!ok) log(`${what}: not reached within ${timeoutMs} ms`);
  return ok;
}

async function runScenario(
  driver: Driver,
  ctx: { sampler: CpuSampler; rss: RssTimeline; quietNames: string[] },
): Promise<ScenarioResult> {
  const { sampler, rss } = ctx;
  const name = driver.name;
  const marks = (m: string) => `${name}:${m}`;
  let idle0: ScenarioResult['idle0'];
  if (settings.idle0Seconds > 0) {
    // Past the children's start-up (schedules created, pollers up, first sweeps).
    await sleep(8_000);
    const before = await sampler.snapshot();
    await sleep(settings.idle0Seconds * 1_000);
    const d = CpuSampler.delta(before, await sampler.snapshot());
    idle0 = { seconds: d.wallSeconds, cores: d.cores };
    log(`${name}: idle with no session: ${describeCores(d.cores)}`);
  }

  // Warm-up: a few opens with deadlines just ahead, all ended before the load (JIT, pools, caches),
  // and the open rate that sizes the load's time budget.
  const warmupCount = Math.min(settings.warmup, settings.sessions);
  await driver.prepareWarmup();
  const warmDeadline = Math.ceil((Date.now() + WARMUP_DEADLINE_MS) / 1_000) * 1_000;
  const w0 = performance.now();
  let warmErrors = 0;
  await runConcurrent(warmupCount, settings.concurrency, async (i) => {
    if (await driver.open('warmup', i, warmDeadline)) warmErrors += 1;
  });
  const warmupPerSecond = (warmupCount - warmErrors) / Math.max(1e-3, (performance.now() - w0) / 1_000);
  log(
    `${name}: warm-up ${warmupCount} opened at ${warmupPerSecond.toFixed(0)}/s (${warmErrors} errors); waiting for them to end`,
  );
  await waitFor(
    `${name} warm-up ends`,
    async () => (await driver.countEnded('warmup')) >= warmupCount - warmErrors,
    Math.max(0, warmDeadline - Date.now()) + 60_000,
    500,
  );

  // The plan: load budget, settle, idle window, then the deadlines over the spread.
  const budgetMs = Math.ceil(((settings.sessions / Math.max(1, warmupPerSecond)) * settings.loadSlack + 5) * 1_000);
  const firstDeadline =
    Math.ceil(
      (Date.now() + budgetMs + settings.settleMaxSeconds * 1_000 + settings.idleSeconds * 1_000 + IDLE_END_MARGIN_MS) /
        1_000,
    ) * 1_000;
  const lastDeadline = firstDeadline + settings.spreadSeconds * 1_000;
  await driver.prepareMain(lastDeadline);
  const firstDeadlinePerf = performance.now() + (firstDeadline - Date.now());
  log(
    `${name}: load budget ${(budgetMs / 1_000).toFixed(0)} s; deadlines from ${new Date(firstDeadline).toISOString().slice(11, 19)} ` +
      `to ${new Date(lastDeadline).toISOString().slice(11, 19)} UTC`,
  );

  rss.mark(marks('before'));
  const loadStart = performance.now();
  let opened = 0;
  let errors = 0;
  let firstError: string | undefined;
  let lateOpens = 0;
  let lastAnswer = loadStart;
  let lastPlanned = firstDeadline;
  let lastLog = loadStart;
  await runConcurrent(settings.sessions, settings.concurrency, async (i) => {
    const deadlineMs = firstDeadline + deadlineOffsetMs(i);
    lastPlanned = Math.max(lastPlanned, deadlineMs);
    if (deadlineMs - Date.now() < 5_000) lateOpens += 1;
    const error = await driver.open('main', i, deadlineMs);
    lastAnswer = performance.now();
    if (error) {
      errors += 1;
      firstError ??= error;
    } else {
      opened += 1;
    }
    if (lastAnswer - lastLog >= 10_000) {
      lastLog = lastAnswer;
      log(
        `${name}: ${opened} opened (${(opened / ((lastAnswer - loadStart) / 1_000)).toFixed(0)}/s), ${errors} errors`,
      );
    }
  });
  const openSeconds = (lastAnswer - loadStart) / 1_000;
  rss.mark(marks('load end'));
  log(
    `${name}: ${opened} opened in ${openSeconds.toFixed(1)} s (${(opened / openSeconds).toFixed(0)}/s), ${errors} errors${firstError ? ` (first: ${firstError})` : ''}`,
  );
  if (lateOpens > 0)
    log(
      `${name}: ${lateOpens} opens had their deadline less than 5 s ahead: the load overran its budget (raise BENCH_LOAD_SLACK)`,
    );

  // Settle: the outbox drained, then the worker and the dev server quiet.
  const idleEndPerf = firstDeadlinePerf - IDLE_END_MARGIN_MS;
  const idleStartPlanned = idleEndPerf - settings.idleSeconds * 1_000;
  const settleStart = performance.now();
  await driver.settle(idleEndPerf - MIN_IDLE_MS);
  let prev = await sampler.snapshot();
  while (performance.now() < idleEndPerf - MIN_IDLE_MS - 1_000) {
    await sleep(1_000);
    const cur = await sampler.snapshot();
    const d = CpuSampler.delta(prev, cur);
    prev = cur;
    if (ctx.quietNames.reduce((acc, n) => acc + (d.cores[n] ?? 0), 0) < QUIET_CORES) break;
  }
  const settleSeconds = (performance.now() - settleStart) / 1_000;
  log(`${name}: settled ${settleSeconds.toFixed(1)} s after the load`);

  // Idle window: every session open and waiting on its timer, no traffic.
  let idle: ScenarioResult['idle'];
  let idleNote: string | undefined;
  if (performance.now() < idleStartPlanned) await sleep(idleStartPlanned - performance.now());
  const idleStart = performance.now();
  if (idleEndPerf - idleStart >= Math.min(MIN_IDLE_MS, settings.idleSeconds * 1_000) - 250) {
    const before = await sampler.snapshot();
    const endedBefore = await driver.countEnded('main');
    await sleep(Math.max(0, idleEndPerf - performance.now()));
    const d = CpuSampler.delta(before, await sampler.snapshot());
    const endedAfter = await driver.countEnded('main');
    idle = { seconds: d.wallSeconds, cores: d.cores };
    if (endedAfter > 0) idleNote = `${endedAfter - endedBefore} ended during the window, ${endedAfter} before its end`;
    if (d.wallSeconds < settings.idleSeconds - 0.5)
      idleNote = `${idleNote ? `${idleNote}; ` : ''}window shortened to ${d.wallSeconds.toFixed(1)} s (the load or settling took longer)`;
    log(`${name}: idle with ${opened} open, ${d.wallSeconds.toFixed(1)} s: ${describeCores(d.cores)}`);
  } else {
    idleNote = `not measured: the load and settling left ${(Math.max(0, idleEndPerf - idleStart) / 1_000).toFixed(1)} s before the first deadline`;
    log(`${name}: idle window ${idleNote}`);
  }

  rss.mark(marks('idle end'));
  // The ends: wait on the ended count (bounded), then for the close times.
  if (performance.now() < firstDeadlinePerf) await sleep(firstDeadlinePerf - performance.now());
  rss.mark(marks('first deadline'));
  const endingStart = await sampler.snapshot();
  const drainUntil = firstDeadlinePerf + settings.spreadSeconds * 1_000 + settings.drainTimeoutMs;
  let ended = 0;
  lastLog = performance.now();
  while (performance.now() < drainUntil) {
    ended = await driver.countEnded('main');
    if (ended >= opened) break;
    if (performance.now() - lastLog >= 15_000) {
      lastLog = performance.now();
      log(
        `${name}: ${ended}/${opened} ended; worker RSS ${mb(rss.peak(driver.workerName, marks('first deadline')))} MB peak since the first deadline`,
      );
    }
    await sleep(500);
  }
  ended = await driver.countEnded('main');
  const endedAll = ended >= opened;
  const endingEnd = await sampler.snapshot();
  rss.mark(marks('ended'));
  const endingDelta = CpuSampler.delta(endingStart, endingEnd);
  let watchdogSeen: string | undefined;
  if (!endedAll) {
    watchdogSeen = await driver.describe('main');
    log(
      `${name}: only ${ended}/${opened} ended by ${((drainUntil - firstDeadlinePerf) / 1_000).toFixed(0)} s after the first deadline: ${watchdogSeen}`,
    );
  } else {
    log(`${name}: all ${ended} ended, ${((Date.now() - lastPlanned) / 1_000).toFixed(1)} s after the last deadline`);
  }
  await sleep(5_000);
  rss.mark(marks('after'));
  const collected = await driver.collect();

  const rssOf = (p: string) => ({
    beforeKb: rss.at(p, marks('before')),
    peakOpenKb: rss.peak(p, marks('before'), marks('first deadline')),
    idleKb: rss.at(p, marks('idle end')),
    peakEndingKb: rss.peak(p, marks('first deadline'), marks('ended')),
    afterKb: rss.at(p, marks('after')),
  });
  return {
    name,
    opened,
    errors,
    firstError,
    openSeconds,
    openPerSecond: opened / Math.max(1e-3, openSeconds),
    warmupPerSecond,
    lateOpens,
    ended,
    endedAll,
    watchdogSeen,
    rss: {
      worker: rssOf(driver.workerName),
      temporal: rssOf('temporal'),
      ...(name === 'sessions' ? { api: rssOf('api') } : {}),
    },
    idle0,
    idle,
    idleNote,
    ending: { seconds: endingDelta.wallSeconds, cores: endingDelta.cores },
    settleSeconds,
    collected,
    closeLateness: summarize(collected.closeLateness),
    outboxLateness: collected.outboxLateness ? summarize(collected.outboxLateness) : undefined,
  };
}

function describeCores(cores: Record<string, number>): string {
  return Object.entries(cores)
    .filter(([k]) => k !== 'machine busy')
    .map(([k, v]) => `${k} ${pct(v)} %`)
    .join(', ');
}

/** Close times of the completed workflows of a type (ms epoch by workflow id). */
async function closeTimes(client: WorkflowClient, workflowType: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for await (const wf of client.list({
    query: `WorkflowType = '${workflowType}' AND ExecutionStatus = 'Completed'`,
    pageSize: 1_000,
  })) {
    if (wf.closeTime) out.set(wf.workflowId, wf.closeTime.getTime());
  }
  return out;
}

async function createChannel(
  apiUrl: string,
  apiKey: string,
  name: string,
  sessionTimeoutSeconds: number,
): Promise<{ id: string; webhookSecret: string }> {
  const res = await fetch(`${apiUrl}/v1/channels`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: JSON.stringify({ name, wahaBaseUrl: 'http://127.0.0.1:1', inboundMode: 'direct', sessionTimeoutSeconds }),
  });
  const body = (await res.json()) as { id: string; webhookSecret: string };
  if (res.status !== 201) throw new Error(`channel creation failed: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** The real thing: WAHA webhooks through the API, sessions in Postgres, lifecycle workflows on the worker. */
function sessionsDriver(deps: {
  apiUrl: string;
  apiKey: string;
  tenantId: string;
  db: Client;
  client: WorkflowClient;
  poster: WebhookPoster;
}): Driver & { timeoutSeconds: () => number } {
  const channels: Partial<Record<Group, SessionsChannel & { timeoutSeconds: number }>> = {};
  const prefix: Record<Group, string> = { warmup: '551170', main: '551180' };
  const channelOf = (group: Group) => {
    const c = channels[group];
    if (!c) throw new Error(`no ${group} channel yet`);
    return c;
  };
  const count = async (group: Group) => {
    const { rows } = await deps.db.query<{ ended: string }>(
      `SELECT count(*) FILTER (WHERE status = 'ended') AS ended FROM sessions WHERE channel_id = $1`,
      [channelOf(group).channelId],
    );
    return Number(rows[0].ended);
  };
  return {
    name: 'sessions',
    workerName: 'worker',
    timeoutSeconds: () => channels.main?.timeoutSeconds ?? Number.NaN,
    async prepareWarmup() {
      const created = await createChannel(deps.apiUrl, deps.apiKey, 'Bench sessions warm-up', 60);
      channels.warmup = {
        tenantId: deps.tenantId,
        channelId: created.id,
        webhookSecret: created.webhookSecret,
        timeoutSeconds: 60,
      };
    },
    async prepareMain(latestDeadlineMs) {
      // Every message's timestamp (deadline - timeout) must be in the past when it is posted.
      const timeoutSeconds = Math.max(60, Math.ceil((latestDeadlineMs - Date.now()) / 60_000) * 60 + 60);
      const created = await createChannel(deps.apiUrl, deps.apiKey, 'Bench sessions', timeoutSeconds);
      channels.main = {
        tenantId: deps.tenantId,
        channelId: created.id,
        webhookSecret: created.webhookSecret,
        timeoutSeconds,
      };
      log(`sessions: channel ${created.id}, session timeout ${timeoutSeconds} s, inboundMode direct`);
    },
    async open(group, i, deadlineMs) {
      const channel = channelOf(group);
      const hook = buildSessionMessage(
        channel,
        `${prefix[group]}${String(i).padStart(7, '0')}`,
        Math.round(deadlineMs / 1_000) - channel.timeoutSeconds,
      );
      let last: string | undefined;
      // WAHA delivers again after a failure; the same body is idempotent.
      for (let attempt = 1; attempt <= 3; attempt++) {
        const res = await deps.poster.postSigned(channel.channelId, hook.body, hook.signature);
        if (res.status === 202) return undefined;
        last = res.error;
        await sleep(1_000);
      }
      return last ?? 'failed';
    },
    countEnded: (group) => count(group),
    async settle(untilPerf) {
      await waitFor(
        'sessions: outbox drained',
        async () =>
          Number(
            (await deps.db.query<{ n: string }>(`SELECT count(*) AS n FROM outbox_events WHERE status = 'pending'`))
              .rows[0].n,
          ) === 0,
        Math.max(0, untilPerf - performance.now()),
        500,
      );
    },
    async describe(group) {
      const { rows } = await deps.db.query<{ active: string; overdue: string; oldest_overdue_s: string | null }>(
        `SELECT count(*) AS active,
                count(*) FILTER (WHERE last_activity_at + timeout_seconds * interval '1 second' < now()) AS overdue,
                extract(epoch FROM now() - min(last_activity_at + timeout_seconds * interval '1 second')) AS oldest_overdue_s
           FROM sessions WHERE channel_id = $1 AND status = 'active'`,
        [channelOf(group).channelId],
      );
      const running = (
        await deps.client.count(`WorkflowType = '${SESSION_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'`)
      ).count;
      const r = rows[0];
      return `${r.active} sessions still active (${r.overdue} past their deadline, the oldest by ${fixed(Number(r.oldest_overdue_s ?? Number.NaN))} s); ${running} ${SESSION_WORKFLOW_TYPE} runs still running`;
    },
    async collect() {
      const channelId = channelOf('main').channelId;
      await waitFor(
        'sessions: lifecycle workflows closed',
        async () =>
          (await deps.client.count(`WorkflowType = '${SESSION_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'`))
            .count === 0,
        60_000,
        500,
      );
      const { rows } = await deps.db.query<{
        id: string;
        deadline_ms: string;
        ended: boolean;
        end_reason: string | null;
        outbox_ms: string | null;
        sent_s: string;
      }>(
        `WITH ended AS (
           SELECT aggregate_id, min(created_at) AS at FROM outbox_events
            WHERE aggregate_type = 'session' AND type = 'session.ended' GROUP BY aggregate_id)
         SELECT s.id, round(extract(epoch FROM s.last_activity_at) * 1000 + s.timeout_seconds * 1000)::bigint AS deadline_ms,
                s.status = 'ended' AS ended, s.end_reason,
                round(extract(epoch FROM e.at) * 1000)::bigint AS outbox_ms,
                round(extract(epoch FROM s.started_at))::bigint AS sent_s
           FROM sessions s LEFT JOIN ended e ON e.aggregate_id = s.id::text
          WHERE s.channel_id = $1`,
        [channelId],
      );
      const closes = await closeTimes(deps.client, SESSION_WORKFLOW_TYPE);
      const closeLateness: number[] = [];
      const outboxLateness: number[] = [];
      const endReasons: Record<string, number> = {};
      let missingClose = 0;
      let missingOutbox = 0;
      let deadlineMismatches = 0;
      const timeout = channelOf('main').timeoutSeconds;
      for (const r of rows) {
        endReasons[r.ended ? (r.end_reason ?? 'null') : '(still active)'] =
          (endReasons[r.ended ? (r.end_reason ?? 'null') : '(still active)'] ?? 0) + 1;
        if (!r.ended) continue;
        const deadline = Number(r.deadline_ms);
        // The planned deadline is the message's timestamp + the channel timeout (whole seconds).
        if (deadline !== (Number(r.sent_s) + timeout) * 1_000) deadlineMismatches += 1;
        const close = closes.get(`session:${r.id}`);
        if (close === undefined) missingClose += 1;
        else closeLateness.push(close - deadline);
        if (r.outbox_ms === null) missingOutbox += 1;
        else outboxLateness.push(Number(r.outbox_ms) - deadline);
      }
      return { closeLateness, outboxLateness, missingClose, missingOutbox, endReasons, deadlineMismatches };
    },
  };
}

/** The floor: one timer workflow per "session" on its own worker, started by this process. */
function floorDriver(client: WorkflowClient): Driver {
  const deadlines = new Map<string, number>();
  const opened: Record<Group, number> = { warmup: 0, main: 0 };
  const completed = async () =>
    (await client.count(`WorkflowType = '${FLOOR_WORKFLOW_TYPE}' AND ExecutionStatus = 'Completed'`)).count;
  return {
    name: 'floor',
    workerName: 'floor worker',
    async prepareWarmup() {},
    async prepareMain() {},
    async open(group, i, deadlineMs) {
      const workflowId = `session-timer:${group}:${i}`;
      try {
        const input: SessionTimerInput = { deadlineMs };
        await client.start(FLOOR_WORKFLOW_TYPE, { workflowId, taskQueue: FLOOR_TASK_QUEUE, args: [input] });
        if (group === 'main') deadlines.set(workflowId, deadlineMs);
        opened[group] += 1;
        return undefined;
      } catch (err) {
        return err instanceof Error ? err.message : String(err);
      }
    },
    // The warm-up has all ended before the load starts: the main ones are the completed ones beyond it.
    countEnded: async (group) =>
      group === 'warmup'
        ? Math.min(opened.warmup, await completed())
        : Math.max(0, (await completed()) - opened.warmup),
    async settle() {},
    async describe() {
      const running = (await client.count(`WorkflowType = '${FLOOR_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'`))
        .count;
      return `${running} ${FLOOR_WORKFLOW_TYPE} runs still running`;
    },
    async collect() {
      const closes = await closeTimes(client, FLOOR_WORKFLOW_TYPE);
      const closeLateness: number[] = [];
      let missingClose = 0;
      for (const [id, deadline] of deadlines) {
        const close = closes.get(id);
        if (close === undefined) missingClose += 1;
        else closeLateness.push(close - deadline);
      }
      return { closeLateness, missingClose };
    },
  };
}

function printReport(
  results: ScenarioResult[],
  facts: { postgres: string; temporalCli: string; totalSeconds: number; workflowVersion: string; startedAt: string },
): void {
  const real = results.find((r) => r.name === 'sessions');
  const floor = results.find((r) => r.name === 'floor');
  const idleTotal = (r: ScenarioResult | undefined, w: 'idle' | 'idle0') => {
    const c = r?.[w]?.cores;
    if (!c) return Number.NaN;
    return (
      (c[r!.name === 'sessions' ? 'worker' : 'floor worker'] ?? 0) +
      (c.temporal ?? 0) +
      (c['postgres (this db)'] ?? 0) +
      (c.api ?? 0)
    );
  };
  const workerCores = (r: ScenarioResult | undefined, w: 'idle' | 'idle0') =>
    r?.[w]?.cores[r.name === 'sessions' ? 'worker' : 'floor worker'] ?? Number.NaN;
  const ratio = (a: number, b: number) =>
    Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(1)}x` : '-';

  console.log(
    `\n## ${settings.sessions} sessions open on one worker, against ${settings.sessions} plain Temporal timers\n`,
  );
  const row = (r: ScenarioResult) => [
    r.name === 'sessions' ? 'sessions (API -> direct -> lifecycle wf)' : 'floor (sleep + no-op local activity)',
    String(r.opened),
    fixed(r.openPerSecond, 0),
    mb(r.rss.worker.beforeKb),
    mb(r.rss.worker.peakOpenKb),
    mb(r.rss.worker.idleKb),
    mb(r.rss.worker.peakEndingKb),
    mb(r.rss.worker.afterKb),
    ms(r.closeLateness.p50),
    ms(r.closeLateness.p99),
    ms(r.closeLateness.max),
    pct(workerCores(r, 'idle')),
    pct(r.idle?.cores.temporal),
    pct(r.idle?.cores['postgres (this db)']),
    pct(idleTotal(r, 'idle')),
    `${r.ended}/${r.opened}${r.collected.closeLateness.length > r.ended ? ` (${r.collected.closeLateness.length} later)` : ''}`,
  ];
  const rows = results.map(row);
  if (real && floor) {
    rows.push([
      'ratio sessions / floor',
      '-',
      ratio(real.openPerSecond, floor.openPerSecond),
      ratio(real.rss.worker.beforeKb, floor.rss.worker.beforeKb),
      ratio(real.rss.worker.peakOpenKb, floor.rss.worker.peakOpenKb),
      ratio(real.rss.worker.idleKb, floor.rss.worker.idleKb),
      ratio(real.rss.worker.peakEndingKb, floor.rss.worker.peakEndingKb),
      ratio(real.rss.worker.afterKb, floor.rss.worker.afterKb),
      ratio(real.closeLateness.p50, floor.closeLateness.p50),
      ratio(real.closeLateness.p99, floor.closeLateness.p99),
      ratio(real.closeLateness.max, floor.closeLateness.max),
      ratio(workerCores(real, 'idle'), workerCores(floor, 'idle')),
      ratio(real.idle?.cores.temporal ?? Number.NaN, floor.idle?.cores.temporal ?? Number.NaN),
      '-',
      ratio(idleTotal(real, 'idle'), idleTotal(floor, 'idle')),
      '-',
    ]);
  }
  console.log(
    markdownTable(
      [
        'run',
        'open',
        'open /s',
        'worker RSS before MB',
        'peak open/idle MB',
        'at idle end MB',
        'peak ending MB',
        'after MB',
        'lateness p50 ms',
        'p99 ms',
        'max ms',
        'idle CPU worker %',
        'dev server %',
        'pg %',
        'total %',
        'ended',
      ],
      rows,
    ),
  );
  console.log(
    '\nended = ended within the drain window (last deadline + BENCH_SESSIONS_DRAIN_TIMEOUT_MS), "later": by the time the close times were read (the lateness rows count those). ' +
      'lateness = Temporal close time of the workflow - true deadline (sessions: last_activity_at + timeout_seconds of the row; ' +
      'floor: the deadline it slept to). idle CPU = % of one core over the idle window (every session open, none due, no traffic); ' +
      'total = worker + dev server + bench db backends (+ api for the sessions). RSS = VmRSS sampled every 500 ms (the worker process; ' +
      'for the floor its own worker process).',
  );

  if (real) {
    const rssMet =
      real.rss.worker.peakOpenKb <= TARGET_RSS_KB &&
      (real.rss.worker.peakEndingKb <= TARGET_RSS_KB || !Number.isFinite(real.rss.worker.peakEndingKb));
    const p99Met = real.endedAll && real.closeLateness.p99 <= TARGET_P99_MS;
    console.log('\n### Targets (issue 11 item 5)\n');
    console.log(
      markdownTable(
        ['target', 'measured', 'floor', 'result'],
        [
          [
            'worker RSS <= 1 GiB with the sessions open',
            `${mb(Math.max(real.rss.worker.peakOpenKb, real.rss.worker.peakEndingKb || 0))} MB peak`,
            floor ? `${mb(Math.max(floor.rss.worker.peakOpenKb, floor.rss.worker.peakEndingKb || 0))} MB` : '-',
            rssMet ? 'MET' : 'MISSED',
          ],
          [
            'lateness p99 <= 2 s',
            `${ms(real.closeLateness.p99)} ms${real.endedAll ? '' : ` (only ${real.ended}/${real.opened} ended)`}`,
            floor ? `${ms(floor.closeLateness.p99)} ms` : '-',
            p99Met ? 'MET' : 'MISSED',
          ],
        ],
      ),
    );
  }

  console.log('\n### Lateness (ms, end instant - true deadline)\n');
  const latRows: string[][] = [];
  for (const r of results) {
    const label = r.name === 'sessions' ? 'sessions' : 'floor';
    const s = r.closeLateness;
    latRows.push([
      label,
      'workflow close time',
      String(s.count),
      ms(s.min),
      ms(s.p50),
      ms(s.p95),
      ms(s.p99),
      ms(s.max),
      String(r.collected.missingClose),
    ]);
    if (r.outboxLateness) {
      const o = r.outboxLateness;
      latRows.push([
        label,
        'session.ended outbox created_at',
        String(o.count),
        ms(o.min),
        ms(o.p50),
        ms(o.p95),
        ms(o.p99),
        ms(o.max),
        String(r.collected.missingOutbox ?? 0),
      ]);
    }
  }
  console.log(markdownTable(['run', 'end instant', 'count', 'min', 'p50', 'p95', 'p99', 'max', 'missing'], latRows));
  console.log(
    `(deadlines: whole seconds, spread evenly over ${settings.spreadSeconds} s, ~${fixed(settings.sessions / settings.spreadSeconds, 0)} per second; ` +
      'outbox created_at = clock_timestamp() when the ending transaction inserted session.ended; the close time comes after its commit and the last workflow task.)',
  );

  console.log(`\n### CPU, % of one core (${cpus().length} cores on this machine)\n`);
  const names = ['worker', 'floor worker', 'api', 'temporal', 'postgres (this db)', 'bench', 'other', 'machine busy'];
  const cpuRows: string[][] = [];
  for (const r of results) {
    if (r.idle0)
      cpuRows.push([
        r.name,
        `idle, no session (${fixed(r.idle0.seconds)} s)`,
        ...names.map((n) => pct(r.idle0!.cores[n])),
      ]);
    if (r.idle)
      cpuRows.push([
        r.name,
        `idle, ${r.opened} open (${fixed(r.idle.seconds)} s)`,
        ...names.map((n) => pct(r.idle!.cores[n])),
      ]);
    if (r.ending)
      cpuRows.push([r.name, `ending (${fixed(r.ending.seconds)} s)`, ...names.map((n) => pct(r.ending!.cores[n]))]);
  }
  console.log(markdownTable(['run', 'window', ...names], cpuRows));
  console.log(
    '(/proc utime+stime per process, all threads; postgres = the backends connected to the bench database; other = busy time of ' +
      'everything else on the machine; ending = first deadline -> last end.)',
  );
  if (real?.idle && real.idle0) {
    const perK = (n: string) =>
      ((real.idle!.cores[n] ?? 0) - (real.idle0!.cores[n] ?? 0)) * 100 * (1_000 / Math.max(1, real.opened));
    console.log(
      `\nIdle cost of the open sessions (idle open - idle none), per 1,000 sessions: worker ${fixed(perK('worker'), 2)} %, dev server ${fixed(perK('temporal'), 2)} %, pg ${fixed(perK('postgres (this db)'), 2)} % of a core.`,
    );
  }
  for (const r of results) {
    if (!r.ending || r.ended === 0) continue;
    const per = (n: string) => fixed(((r.ending!.cores[n] ?? 0) * r.ending!.seconds * 1_000) / r.ended, 1);
    console.log(
      `- ${r.name} ending: CPU per end, ms: ${r.name === 'sessions' ? `worker ${per('worker')}, api ${per('api')}` : `floor worker ${per('floor worker')}`}, dev server ${per('temporal')}, pg ${per('postgres (this db)')}`,
    );
  }
  for (const r of results) if (r.idleNote) console.log(`- ${r.name} idle window: ${r.idleNote}`);

  console.log('\n### Details\n');
  console.log(
    markdownTable(
      [
        'run',
        'warm-up open /s',
        'open s',
        'errors',
        'late opens',
        'settle s',
        'worker RSS KB / open',
        'dev server RSS before MB',
        'peak open MB',
        'peak ending MB',
        'api RSS peak MB',
        'end reasons',
        'deadline mismatches',
      ],
      results.map((r) => [
        r.name,
        fixed(r.warmupPerSecond, 0),
        fixed(r.openSeconds),
        `${r.errors}${r.firstError ? ` (first: ${r.firstError.slice(0, 80)})` : ''}`,
        String(r.lateOpens),
        fixed(r.settleSeconds),
        fixed((r.rss.worker.peakOpenKb - r.rss.worker.beforeKb) / Math.max(1, r.opened), 0),
        mb(r.rss.temporal.beforeKb),
        mb(r.rss.temporal.peakOpenKb),
        mb(r.rss.temporal.peakEndingKb),
        r.rss.api ? mb(r.rss.api.peakOpenKb) : '-',
        r.collected.endReasons
          ? Object.entries(r.collected.endReasons)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ')
          : '-',
        r.collected.deadlineMismatches === undefined ? '-' : String(r.collected.deadlineMismatches),
      ]),
    ),
  );
  for (const r of results) if (r.watchdogSeen) console.log(`- ${r.name}: NOT ALL ENDED: ${r.watchdogSeen}`);

  const cpu = cpus();
  console.log('\n### Machine and settings\n');
  console.log(`- run started ${facts.startedAt}; session workflow: ${facts.workflowVersion}`);
  console.log(
    `- cpus: ${cpu.length} x ${cpu[0]?.model ?? 'unknown'}; memory ${(totalmem() / 2 ** 30).toFixed(1)} GiB; load average at end: ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    `- node ${process.version}; PostgreSQL ${facts.postgres}; Temporal dev server from ${facts.temporalCli}${settings.temporalExtraArgs.length ? ` (${settings.temporalExtraArgs.join(' ')})` : ''}`,
  );
  console.log(
    `- ${settings.sessions} sessions, ${settings.concurrency} requests in flight, warm-up ${settings.warmup}, deadlines over ${settings.spreadSeconds} s, ` +
      `idle window ${settings.idleSeconds} s (${settings.idle0Seconds} s with none), session timeout ${real?.timeoutSeconds ?? '-'} s, no warning, no debounce; ` +
      `DB pools api ${settings.apiPoolSize} / worker ${settings.workerPoolSize}; worker options: SDK defaults${process.env.BENCH_WORKER_OPTIONS ? ` + BENCH_WORKER_OPTIONS ${process.env.BENCH_WORKER_OPTIONS}` : ''} ` +
      `(the floor worker's workflow cache: ${floor?.maxCachedWorkflows ?? '-'} runs; the production worker's queues get the same default, one cache per queue); ` +
      `LOG_LEVEL=warn; total ${facts.totalSeconds.toFixed(0)} s`,
  );
  const extra = [
    ...Object.entries(settings.workerEnv).map(([k, v]) => `worker ${k}=${v}`),
    ...Object.entries(settings.apiEnv).map(([k, v]) => `api ${k}=${v}`),
  ];
  if (extra.length) console.log(`- extra child env: ${extra.join(', ')}`);
  console.log(
    '\nCaveat: one shared 2-core machine runs the bench, the API, the worker, PostgreSQL and the Temporal dev server ' +
      '(and whatever else runs there: see "other"); absolute numbers drift, the ratio to the floor is the stable figure.',
  );
}

function recordResults(results: ScenarioResult[], facts: { startedAt: string; workflowVersion: string }): void {
  const real = results.find((r) => r.name === 'sessions');
  const floor = results.find((r) => r.name === 'floor');
  const mib = (kb: number) => kb / 1024;
  const peakKb = (r?: ScenarioResult) =>
    r
      ? Math.max(r.rss.worker.peakOpenKb, Number.isFinite(r.rss.worker.peakEndingKb) ? r.rss.worker.peakEndingKb : 0)
      : Number.NaN;
  const idlePct = (r: ScenarioResult | undefined, n: string) => (r?.idle ? (r.idle.cores[n] ?? 0) * 100 : Number.NaN);
  const div = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : null);
  const figures: Record<string, number | string | null> = {
    sessions: real?.opened ?? null,
    sessions_ended: real?.ended ?? null,
    open_per_s: real?.openPerSecond ?? null,
    worker_rss_before_mib: real ? mib(real.rss.worker.beforeKb) : null,
    worker_rss_peak_open_idle_mib: real ? mib(real.rss.worker.peakOpenKb) : null,
    worker_rss_idle_end_mib: real ? mib(real.rss.worker.idleKb) : null,
    worker_rss_peak_ending_mib: real ? mib(real.rss.worker.peakEndingKb) : null,
    worker_rss_after_mib: real ? mib(real.rss.worker.afterKb) : null,
    temporal_rss_peak_mib: real
      ? mib(Math.max(real.rss.temporal.peakOpenKb, real.rss.temporal.peakEndingKb || 0))
      : null,
    lateness_p50_ms: real?.closeLateness.p50 ?? null,
    lateness_p99_ms: real?.closeLateness.p99 ?? null,
    lateness_max_ms: real?.closeLateness.max ?? null,
    outbox_lateness_p50_ms: real?.outboxLateness?.p50 ?? null,
    outbox_lateness_p99_ms: real?.outboxLateness?.p99 ?? null,
    idle_cpu_worker_pct: idlePct(real, 'worker'),
    idle_cpu_temporal_pct: idlePct(real, 'temporal'),
    idle_cpu_pg_pct: idlePct(real, 'postgres (this db)'),
    idle_cpu_api_pct: idlePct(real, 'api'),
    session_workflow: facts.workflowVersion,
    started_at: facts.startedAt,
  };
  const floors: Record<string, number | null> = floor
    ? {
        open_per_s: floor.openPerSecond,
        worker_rss_before_mib: mib(floor.rss.worker.beforeKb),
        worker_rss_peak_mib: mib(peakKb(floor)),
        worker_rss_idle_end_mib: mib(floor.rss.worker.idleKb),
        lateness_p50_ms: floor.closeLateness.p50,
        lateness_p99_ms: floor.closeLateness.p99,
        lateness_max_ms: floor.closeLateness.max,
        idle_cpu_worker_pct: idlePct(floor, 'floor worker'),
        idle_cpu_temporal_pct: idlePct(floor, 'temporal'),
      }
    : {};
  const ratios: Record<string, number | null> =
    real && floor
      ? {
          worker_rss_peak: div(peakKb(real), peakKb(floor)),
          lateness_p50: div(real.closeLateness.p50, floor.closeLateness.p50),
          lateness_p99: div(real.closeLateness.p99, floor.closeLateness.p99),
          idle_cpu_worker: div(idlePct(real, 'worker'), idlePct(floor, 'floor worker')),
          idle_cpu_temporal: div(idlePct(real, 'temporal'), idlePct(floor, 'temporal')),
        }
      : {};
  const coresOf = (w?: { cores: Record<string, number> }) => (w ? w.cores : null);
  const cpu = Object.fromEntries(
    results.map((r) => [
      r.name,
      { idle_none: coresOf(r.idle0), idle_open: coresOf(r.idle), ending: coresOf(r.ending) },
    ]),
  );
  const rssMet = real ? peakKb(real) <= TARGET_RSS_KB : null;
  const p99Met = real ? real.endedAll && real.closeLateness.p99 <= TARGET_P99_MS : null;
  const full = settings.sessions >= 10_000;
  const measured = real
    ? `worker RSS peak ${mb(peakKb(real))} MiB (floor ${floor ? mb(peakKb(floor)) : '-'}); lateness p99 ${ms(real.closeLateness.p99)} ms ` +
      `(floor ${floor ? ms(floor.closeLateness.p99) : '-'}), ${real.ended}/${real.opened} ended`
    : 'not run';
  const why: string[] = [];
  if (!full) why.push(`run with ${settings.sessions} sessions, not 10,000`);
  if (rssMet === false) why.push('worker RSS above 1 GiB');
  if (p99Met === false) why.push(real?.endedAll ? 'lateness p99 above 2 s' : 'not every session ended');
  recordBenchResult('sessions', {
    figures,
    floors,
    ratios,
    cpu,
    targets: [
      {
        id: 'sessions-10k',
        met: !full || rssMet === null || p99Met === null ? null : rssMet && p99Met,
        measured,
        numbers: {
          sessions: real?.opened ?? null,
          worker_rss_peak_mib: real ? mib(peakKb(real)) : null,
          worker_rss_met: rssMet === null ? null : Number(rssMet),
          lateness_p99_ms: real?.closeLateness.p99 ?? null,
          lateness_p99_met: p99Met === null ? null : Number(p99Met),
        },
        why: why.length ? why.join('; ') : undefined,
      },
    ],
    settings: {
      sessions: settings.sessions,
      spreadSeconds: settings.spreadSeconds,
      idleSeconds: settings.idleSeconds,
      concurrency: settings.concurrency,
      sessionTimeoutSeconds: real?.timeoutSeconds ?? null,
      workerOptions: process.env.BENCH_WORKER_OPTIONS ?? null,
    },
    notes: [
      'lateness = Temporal close time of the session:{id} workflow - (last_activity_at + timeout_seconds); floor: close time - the deadline it slept to',
      'idle CPU: % of one core over the idle window with every session open and waiting',
      ...results.flatMap((r) => (r.idleNote ? [`${r.name} idle window: ${r.idleNote}`] : [])),
      ...results.flatMap((r) => (r.watchdogSeen ? [`${r.name}: not all ended: ${r.watchdogSeen}`] : [])),
    ],
  });
}

/** Which SessionLifecycleWorkflow this run bundles: the lazy-deadline version mentions it. */
function sessionWorkflowVersion(): string {
  try {
    const src = readFileSync(join(repoRoot(), 'libs/workflows/src/workflows/session-lifecycle.workflow.ts'), 'utf8');
    return /lazy/i.test(src)
      ? 'lazy deadlines (source mentions "lazy")'
      : 'signal per message (source does not mention "lazy")';
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const workflowVersion = sessionWorkflowVersion();
  const { temporal, database, bundle } = await startBenchServices(settings.temporalExtraArgs);
  const temporalPid = childPids(process.pid, /temporal/)[0];
  const client = temporal.env.client.workflow;

  const common = {
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_ENSURE_NAMESPACE: 'false',
    LOG_LEVEL: 'warn',
    SECRETS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    INBOUND_MODE: 'direct',
    // The bench channel's WAHA is a loopback placeholder (never called: no warnings).
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
    { log },
  );
  cleanups.push({ name: 'worker process', run: () => worker.stop() });
  log('starting the API child process (createApiApp on 127.0.0.1)');
  const api: BenchChild = await forkChild(
    'api',
    join(__dirname, 'support/inbound-api.js'),
    { ...common, DATABASE_POOL_SIZE: String(settings.apiPoolSize), PORT: '0', ...settings.apiEnv },
    { log },
  );
  cleanups.push({ name: 'api process', run: () => api.stop() });
  const apiUrl = String(api.ready.url);

  const db = new Client({ connectionString: database.url });
  await db.connect();
  cleanups.push({ name: 'bench db client', run: () => db.end() });
  const poster = new WebhookPoster(apiUrl, settings.concurrency);
  cleanups.push({ name: 'http agent', run: () => poster.close() });
  const { tenantId, apiKey } = await api.call<{ tenantId: string; apiKey: string }>('createTenant', {
    name: 'Bench sessions',
  });
  log(
    `API at ${apiUrl}, worker pid ${worker.pid}, dev server pid ${temporalPid ?? '?'}; session workflow: ${workflowVersion}`,
  );

  const pgPids = async () =>
    (await db.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1`, [database.name])).rows.map(
      (r) => r.pid,
    );
  const results: ScenarioResult[] = [];

  {
    const sampler = new CpuSampler(async () => ({
      worker: [worker.pid],
      api: [api.pid],
      temporal: temporalPid ? [temporalPid] : [],
      'postgres (this db)': await pgPids(),
      bench: [process.pid],
    }));
    const rss = new RssTimeline({
      worker: worker.pid,
      api: api.pid,
      ...(temporalPid ? { temporal: temporalPid } : {}),
    }).start();
    const driver = sessionsDriver({ apiUrl, apiKey, tenantId, db, client, poster });
    const result = await runScenario(driver, { sampler, rss, quietNames: ['worker', 'temporal'] });
    rss.stop();
    result.timeoutSeconds = driver.timeoutSeconds();
    results.push(result);
  }

  log('stopping the API and worker processes');
  await api.stop();
  await worker.stop();

  if (settings.floor) {
    log('bundling the floor workflow (bench/floors/session-timer.workflow)');
    const noop = () => undefined;
    const { code } = await bundleWorkflowCode({
      workflowsPath: require.resolve(join(__dirname, 'floors/session-timer.workflow')),
      logger: { trace: noop, debug: noop, info: noop, log: noop, warn: console.warn, error: console.error },
    });
    const dir = mkdtempSync(join(tmpdir(), 'crm-bench-floor-'));
    cleanups.push({ name: 'floor bundle', run: () => rmSync(dir, { recursive: true, force: true }) });
    const codePath = join(dir, 'floor-bundle.js');
    writeFileSync(codePath, code);
    log('starting the floor worker child process');
    const floorWorker = await forkChild(
      'floor worker',
      join(__dirname, 'support/sessions-floor-worker.js'),
      {
        TEMPORAL_ADDRESS: temporal.address,
        TEMPORAL_NAMESPACE: 'default',
        SESSIONS_FLOOR_BUNDLE_PATH: codePath,
        SESSIONS_FLOOR_TASK_QUEUE: FLOOR_TASK_QUEUE,
      },
      { log },
    );
    cleanups.push({ name: 'floor worker process', run: () => floorWorker.stop() });
    const sampler = new CpuSampler(async () => ({
      'floor worker': [floorWorker.pid],
      temporal: temporalPid ? [temporalPid] : [],
      'postgres (this db)': await pgPids(),
      bench: [process.pid],
    }));
    const rss = new RssTimeline({
      'floor worker': floorWorker.pid,
      ...(temporalPid ? { temporal: temporalPid } : {}),
    }).start();
    const result = await runScenario(floorDriver(client), { sampler, rss, quietNames: ['floor worker', 'temporal'] });
    rss.stop();
    result.maxCachedWorkflows = Number(floorWorker.ready.maxCachedWorkflows);
    results.push(result);
    await floorWorker.stop();
  }

  await cleanupAll();
  printReport(results, {
    postgres: database.serverVersion,
    temporalCli: temporal.cliPath,
    totalSeconds: (performance.now() - started) / 1_000,
    workflowVersion,
    startedAt,
  });
  recordResults(results, { startedAt, workflowVersion });
}

runBench(settings.watchdogMs, main);
