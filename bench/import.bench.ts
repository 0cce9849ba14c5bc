import 'reflect-metadata';
import { ChannelEnv } from '../libs/channel/src/channel.config';
import { HistoryImportEnv } from '../libs/history-import/src/history-import.config';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { cpus, loadavg, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { startBenchServices } from './support/infra';
import { type BenchChild, forkBenchWorker, forkChild } from './support/inbound-children';
import { childPids, CpuSampler, type CpuSnapshot } from './support/inbound-cpu';
import { type FloorResult, runInsertFloor } from './support/import-floor';
import { mb, procMemory, RssSampler, type RssWindow } from './support/import-sampling';
import { markdownTable, ms, summarize } from './support/stats';
import { recordBenchResult } from './support/results';
import { cleanupAll, cleanups, log, runBench } from './support/bench-process';
import { kvEnv, numEnv, temporalExtraArgsEnv } from './support/env';

/** The defaults the apps use when no variable is set (read from the config classes, so this never drifts). */
const IMPORT_DEFAULTS = new HistoryImportEnv();
const CHANNEL_DEFAULTS = new ChannelEnv();

/**
 * `npm run bench:import`: the WhatsApp history import (WAHAHistoryImportWorkflow on the
 * `history-import` queue) end to end, against the floor of plain multi-row INSERTs of the same rows.
 *
 * Processes: this one only drives the cases and measures; the API (createApiApp), the worker
 * (WorkerModule, every task queue) and the WAHA simulator each run in their own child process, on
 * the bench's own Temporal dev server (locally built CLI) and its own migrated PostgreSQL database.
 *
 * Per case ("<chats>x<messages per chat>"): the simulator loads a fresh deterministic data set
 * (POST /_sim/history-dataset; its ground truth from GET /_sim/history-dataset/truth?messages=false),
 * a fresh tenant gets a fresh channel pointing at it (POST /v1/channels, allowGroups, 30 min session
 * gap), the import starts with POST /v1/channels/{id}/history-imports and is polled with GET
 * .../{importId} every BENCH_IMPORT_POLL_MS until it ends. Wall time = POST sent -> the poll that
 * saw it ended (so up to one poll interval late; the server's own startedAt -> completedAt is printed
 * too). Verified, or the bench fails after printing: status completed, no failed chat,
 * messagesImported == the ground truth's distinct messages == the channel's rows in `messages`,
 * nothing left staged, sessionsCreated == the truth's sessions at a 30 min gap. During the case the
 * worker's VmRSS is sampled every 250 ms (/proc/<pid>/status) and CPU per component is taken from
 * /proc over the case and over each phase the polls saw.
 *
 * The floor, same run, after each case: the case's stored contacts and messages (every column) are
 * read back and inserted again under a scratch tenant and channel, with one ended session per contact,
 * by multi-row INSERT statements of BENCH_FLOOR_BATCH_ROWS rows (support/import-floor.ts). ratio =
 * import wall / floor wall: the stable figure on a shared machine whose absolute numbers drift.
 *
 * Knobs (env): BENCH_IMPORT_CASES ("100x100,500x200": chats x messages per chat),
 * BENCH_IMPORT_SEED (1: data set PRNG seed, + case index), BENCH_IMPORT_POLL_MS (250),
 * BENCH_IMPORT_CASE_TIMEOUT_MS (600000: a case still running then fails the bench),
 * BENCH_FLOOR_BATCH_ROWS (1000), BENCH_IDLE_SECONDS (3, CPU with nothing to do),
 * BENCH_WORKER_ENV / BENCH_API_ENV (extra "K=V K=V" for the child; the children also inherit this
 * process's environment, so e.g. HISTORY_IMPORT_CONCURRENCY=16 or WAHA_RATE_LIMIT_PER_SECOND=100 set
 * here reaches both: the API puts concurrency and chats per run into the workflow input, the worker
 * pages, rate-limits and writes), BENCH_TEMPORAL_EXTRA_ARGS (dev-server arguments; see
 * bench/support/env.ts, "-" for none), BENCH_ADMIN_DATABASE_URL, BENCH_WATCHDOG_MS (1200000).
 * The import's own settings are the app defaults unless set (HISTORY_IMPORT_PAGE_SIZE,
 * HISTORY_IMPORT_CONCURRENCY, HISTORY_IMPORT_CHATS_PER_RUN, WAHA_RATE_LIMIT_PER_SECOND); the report
 * prints the values in force.
 */

interface BenchCase {
  label: string;
  chats: number;
  messagesPerChat: number;
  seed: number;
}

function parseCases(raw: string, baseSeed: number): BenchCase[] {
  const cases = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((spec, i) => {
      const m = /^(\d+)\s*x\s*(\d+)$/i.exec(spec);
      if (!m) throw new Error(`BENCH_IMPORT_CASES: "${spec}" is not <chats>x<messagesPerChat>`);
      const chats = Number(m[1]);
      const messagesPerChat = Number(m[2]);
      if (chats < 1 || messagesPerChat < 1 || chats * messagesPerChat > 1_000_000)
        throw new Error(`BENCH_IMPORT_CASES: "${spec}" must be >= 1x1 and at most 1,000,000 messages`);
      return { label: `${chats}x${messagesPerChat}`, chats, messagesPerChat, seed: baseSeed + i };
    });
  if (cases.length === 0) throw new Error('BENCH_IMPORT_CASES names no case');
  return cases;
}

const baseSeed = numEnv('BENCH_IMPORT_SEED', 1);
const settings = {
  cases: parseCases(process.env.BENCH_IMPORT_CASES ?? '100x100,500x200', baseSeed),
  pollMs: numEnv('BENCH_IMPORT_POLL_MS', 250, 20),
  caseTimeoutMs: numEnv('BENCH_IMPORT_CASE_TIMEOUT_MS', 600_000, 5_000),
  floorBatchRows: numEnv('BENCH_FLOOR_BATCH_ROWS', 1_000, 1),
  idleSeconds: numEnv('BENCH_IDLE_SECONDS', 3),
  workerEnv: kvEnv('BENCH_WORKER_ENV'),
  apiEnv: kvEnv('BENCH_API_ENV'),
  watchdogMs: numEnv('BENCH_WATCHDOG_MS', 1_200_000, 10_000),
  temporalExtraArgs: temporalExtraArgsEnv(),
};

/** The issue's targets: 10k messages in at most 15 s, 100k in at most 150 s (other sizes: the same 1.5 ms per message). */
const TARGET_SECONDS_PER_MESSAGE = 15 / 10_000;
const targetSecondsOf = (messages: number) => messages * TARGET_SECONDS_PER_MESSAGE;
const isIssueCase = (messages: number) => messages === 10_000 || messages === 100_000;

/** The processes CPU is accounted to; the rest of the machine's busy time is "other". */
const CPU_COMPONENTS = [
  'worker',
  'api',
  'temporal',
  'postgres (this db)',
  'postgres (server bg)',
  'simulator',
  'bench',
] as const;
const CPU_SHORT: Record<string, string> = {
  worker: 'worker',
  api: 'api',
  temporal: 'temporal',
  'postgres (this db)': 'pg',
  'postgres (server bg)': 'pg-bg',
  simulator: 'sim',
  bench: 'bench',
};

const sleep = (delayMs: number) => new Promise<void>((r) => setTimeout(r, delayMs));

interface ImportView {
  id: string;
  status: 'running' | 'completed' | 'failed' | 'cancelled';
  phase: string;
  chatsTotal: number;
  chatsDone: number;
  chatsFailed: number;
  messagesImported: number;
  messagesDuplicate: number;
  messagesSkipped: number;
  contactsCreated: number;
  sessionsCreated: number;
  sessionsActive: number;
  failedChats: { chatId: string; error: string }[];
  messagesPerSecond: number | null;
  error: string | null;
  startedAt: string;
  completedAt: string | null;
  source: 'live' | 'stored';
}

interface TruthSummary {
  summary: { chats: number; groups: number; contacts: number; distinctMessages: number; storedItems: number };
  contacts: { phone: string; distinctMessages: number; sessionsAt30MinGap: number }[];
}

interface PhaseSpan {
  phase: string;
  seconds: number;
  /** Messages the import had counted when the phase was first and last seen. */
  messagesAtStart: number;
  messagesAtEnd: number;
  cores: Record<string, number>;
}

interface CaseResult {
  case: BenchCase;
  truth: TruthSummary['summary'] & { contactMessages: number; sessionsAt30MinGap: number };
  view: ImportView;
  wallSeconds: number;
  serverSeconds: number;
  messagesPerSecond: number;
  dbMessages: number;
  dbContacts: number;
  dbSessions: number;
  stagedLeft: number;
  rss: RssWindow;
  cores: Record<string, number>;
  /** CPU seconds of the listed components over the case, per imported message (ms). */
  cpuMsPerMessage: number;
  phases: PhaseSpan[];
  polls: number;
  pollMs: ReturnType<typeof summarize>;
  floor?: FloorResult;
  /** Cores per component while the floor's INSERTs ran. */
  floorCores?: Record<string, number>;
  /** WAHA requests the simulator answered during the case (GET /_sim/requests). */
  waha?: { total: number; chatMessages: number; chats: number; failed: number };
  checks: { name: string; ok: boolean; detail: string }[];
}

class Api {
  constructor(
    readonly url: string,
    private readonly apiKey: string,
  ) {}

  async call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: { 'x-api-key': this.apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }
}

async function simCall<T>(
  simUrl: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T; text: string }> {
  const res = await fetch(`${simUrl}${path}`, {
    method,
    headers: { 'X-Api-Key': 'sim-api-key', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: the text is reported
  }
  return { status: res.status, body: parsed as T, text };
}

/** Loads the case's data set into the simulator (a 5xx is retried a few times) and reads its truth. */
async function loadDataSet(simUrl: string, c: BenchCase): Promise<TruthSummary> {
  for (let attempt = 1; ; attempt++) {
    const started = performance.now();
    const res = await simCall(simUrl, 'POST', '/_sim/history-dataset', {
      chats: c.chats,
      messagesPerChat: c.messagesPerChat,
      seed: c.seed,
    });
    if (res.status < 300) {
      log(`${c.label}: simulator data set loaded in ${((performance.now() - started) / 1_000).toFixed(1)} s`);
      break;
    }
    if (res.status < 500 || attempt >= 4)
      throw new Error(`simulator: POST /_sim/history-dataset answered ${res.status}: ${res.text.slice(0, 500)}`);
    log(`${c.label}: POST /_sim/history-dataset answered ${res.status} (${res.text.slice(0, 200)}); retrying in 15 s`);
    await sleep(15_000);
  }
  const truth = await simCall<TruthSummary>(simUrl, 'GET', '/_sim/history-dataset/truth?messages=false');
  if (truth.status !== 200)
    throw new Error(`simulator: GET /_sim/history-dataset/truth answered ${truth.status}: ${truth.text.slice(0, 500)}`);
  return truth.body;
}

async function createChannel(api: Api, simUrl: string, name: string): Promise<string> {
  const res = await api.call<{ id: string }>('POST', '/v1/channels', {
    name,
    wahaBaseUrl: simUrl,
    wahaApiKey: 'sim-api-key',
    allowGroups: true,
    // The gap the simulator's truth counts sessions at (sessionsAt30MinGap).
    sessionTimeoutSeconds: 1_800,
  });
  if (res.status !== 201) throw new Error(`channel creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** Bounded wait until the outbox relay has nothing pending, so one case's events do not bleed into the next's CPU. */
async function waitForOutboxIdle(db: Client, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  let pending = 0;
  while (performance.now() < deadline) {
    pending = Number(
      (await db.query<{ n: string }>(`SELECT count(*) AS n FROM outbox_events WHERE status = 'pending'`)).rows[0].n,
    );
    if (pending === 0) return 0;
    await sleep(500);
  }
  return pending;
}

async function runCase(
  c: BenchCase,
  ctx: { api: BenchChild; apiUrl: string; simUrl: string; db: Client; sampler: CpuSampler; workerPid: number },
): Promise<CaseResult> {
  const truthBody = await loadDataSet(ctx.simUrl, c);
  const truth = {
    ...truthBody.summary,
    contactMessages: truthBody.contacts.reduce((n, t) => n + t.distinctMessages, 0),
    sessionsAt30MinGap: truthBody.contacts.reduce((n, t) => n + t.sessionsAt30MinGap, 0),
  };
  log(
    `${c.label}: truth ${truth.distinctMessages} distinct messages (${truth.storedItems} served, twins twice), ${truth.chats} chats (${truth.groups} groups), ` +
      `${truth.contacts} contacts, ${truth.sessionsAt30MinGap} sessions at a 30 min gap`,
  );
  const { tenantId, apiKey } = await ctx.api.call<{ tenantId: string; apiKey: string }>('createTenant', {
    name: `Bench import ${c.label}`,
  });
  const api = new Api(ctx.apiUrl, apiKey);
  const channelId = await createChannel(api, ctx.simUrl, `Import ${c.label}`);
  const pendingLeft = await waitForOutboxIdle(ctx.db, 30_000);
  if (pendingLeft > 0) log(`${c.label}: ${pendingLeft} outbox events still pending from before; starting anyway`);
  await sleep(500);

  await simCall(ctx.simUrl, 'DELETE', '/_sim/requests');
  const rss = new RssSampler(ctx.workerPid, 250);
  rss.start();
  const caseStart = await ctx.sampler.snapshot();
  const t0 = performance.now();
  const posted = await api.call<ImportView>('POST', `/v1/channels/${channelId}/history-imports`, {});
  if (posted.status !== 202) {
    rss.stop();
    throw new Error(`${c.label}: POST history-imports answered ${posted.status}: ${JSON.stringify(posted.body)}`);
  }
  const importId = posted.body.id;
  log(`${c.label}: import ${importId} started on channel ${channelId}`);

  // Phase spans as the polls see them: a phase shorter than a poll may be merged into its neighbour.
  const marks: { phase: string; at: number; snapshot: CpuSnapshot; messages: number }[] = [
    { phase: '(POST, before the first poll)', at: t0, snapshot: caseStart, messages: 0 },
  ];
  const pollDurations: number[] = [];
  let view: ImportView = posted.body;
  let lastLog = t0;
  let tick = t0;
  for (;;) {
    tick += settings.pollMs;
    await sleep(Math.max(0, tick - performance.now()));
    const pollStart = performance.now();
    const res = await api.call<ImportView>('GET', `/v1/channels/${channelId}/history-imports/${importId}`);
    pollDurations.push(performance.now() - pollStart);
    if (res.status !== 200)
      throw new Error(`${c.label}: GET history-import answered ${res.status}: ${JSON.stringify(res.body)}`);
    view = res.body;
    if (view.status !== 'running') break;
    if (view.phase !== marks[marks.length - 1].phase) {
      marks.push({
        phase: view.phase,
        at: performance.now(),
        snapshot: await ctx.sampler.snapshot(),
        messages: view.messagesImported,
      });
    }
    if (performance.now() - lastLog >= 10_000) {
      lastLog = performance.now();
      log(
        `${c.label}: ${view.phase}, chats ${view.chatsDone}/${view.chatsTotal}, ${view.messagesImported} messages (${view.messagesPerSecond ?? '-'}/s), ` +
          `worker RSS ${mb(procMemory(ctx.workerPid)?.rssKb ?? Number.NaN)} MB`,
      );
    }
    if (performance.now() - t0 > settings.caseTimeoutMs) {
      rss.stop();
      throw new Error(
        `${c.label}: the import is still running after ${settings.caseTimeoutMs} ms (phase ${view.phase}, ${view.messagesImported} messages, chats ${view.chatsDone}/${view.chatsTotal})`,
      );
    }
  }
  const t1 = performance.now();
  const caseEnd = await ctx.sampler.snapshot();
  const rssWindow = rss.stop();
  const wallSeconds = (t1 - t0) / 1_000;
  marks.push({ phase: '(end)', at: t1, snapshot: caseEnd, messages: view.messagesImported });
  const phases: PhaseSpan[] = marks.slice(0, -1).map((m, i) => ({
    phase: m.phase,
    seconds: (marks[i + 1].at - m.at) / 1_000,
    messagesAtStart: m.messages,
    messagesAtEnd: marks[i + 1].messages,
    cores: CpuSampler.delta(m.snapshot, marks[i + 1].snapshot).cores,
  }));
  const cpu = CpuSampler.delta(caseStart, caseEnd);
  const listedCores = CPU_COMPONENTS.reduce((acc, n) => acc + (cpu.cores[n] ?? 0), 0);
  const serverSeconds = view.completedAt
    ? (Date.parse(view.completedAt) - Date.parse(view.startedAt)) / 1_000
    : Number.NaN;
  log(
    `${c.label}: ${view.status} in ${wallSeconds.toFixed(1)} s (server ${serverSeconds.toFixed(1)} s): ${view.messagesImported} messages, ${view.sessionsCreated} sessions, ${view.contactsCreated} contacts`,
  );

  const stats = await simCall<{ total: number; failed: number; byKind: Record<string, { total: number } | undefined> }>(
    ctx.simUrl,
    'GET',
    '/_sim/requests',
  );
  const waha =
    stats.status === 200
      ? {
          total: stats.body.total,
          chatMessages: stats.body.byKind['chat-messages']?.total ?? 0,
          chats: stats.body.byKind.chats?.total ?? 0,
          failed: stats.body.failed,
        }
      : undefined;
  const count = async (sql: string, params: unknown[]) =>
    Number((await ctx.db.query<{ n: string }>(sql, params)).rows[0].n);
  const dbMessages = await count(`SELECT count(*) AS n FROM messages WHERE channel_id = $1`, [channelId]);
  const dbContacts = await count(`SELECT count(*) AS n FROM contacts WHERE tenant_id = $1 AND deleted_at IS NULL`, [
    tenantId,
  ]);
  const dbSessions = await count(`SELECT count(*) AS n FROM sessions WHERE channel_id = $1`, [channelId]);
  const stagedLeft = await count(`SELECT count(*) AS n FROM history_import_messages WHERE channel_id = $1`, [
    channelId,
  ]);

  const expected = truth.distinctMessages;
  const checks = [
    {
      name: 'status',
      ok: view.status === 'completed',
      detail: `${view.status}${view.error ? ` (${view.error})` : ''}`,
    },
    {
      name: 'chats',
      ok: view.chatsFailed === 0 && view.chatsDone === truth.chats,
      detail: `${view.chatsDone}/${truth.chats} done, ${view.chatsFailed} failed${view.failedChats.length ? ` (first: ${view.failedChats[0].chatId}: ${view.failedChats[0].error})` : ''}`,
    },
    {
      name: 'messagesImported',
      ok: view.messagesImported === expected,
      detail: `${view.messagesImported} reported, truth ${expected}`,
    },
    {
      name: 'messages rows',
      ok: dbMessages === expected,
      detail: `${dbMessages} rows for the channel, truth ${expected}`,
    },
    {
      name: 'truth per contact',
      ok: truth.contactMessages === expected,
      detail: `sum over contacts ${truth.contactMessages}, summary ${expected}`,
    },
    { name: 'staged left', ok: stagedLeft === 0, detail: `${stagedLeft} rows in history_import_messages` },
    {
      name: 'sessions',
      ok: view.sessionsCreated === truth.sessionsAt30MinGap && dbSessions === truth.sessionsAt30MinGap,
      detail: `${view.sessionsCreated} reported, ${dbSessions} rows, truth ${truth.sessionsAt30MinGap}`,
    },
  ];
  for (const check of checks.filter((k) => !k.ok)) log(`${c.label}: CHECK FAILED ${check.name}: ${check.detail}`);

  const result: CaseResult = {
    case: c,
    truth,
    view,
    wallSeconds,
    serverSeconds,
    messagesPerSecond: view.messagesImported / wallSeconds,
    dbMessages,
    dbContacts,
    dbSessions,
    stagedLeft,
    rss: rssWindow,
    cores: cpu.cores,
    cpuMsPerMessage:
      view.messagesImported > 0 ? (listedCores * cpu.wallSeconds * 1_000) / view.messagesImported : Number.NaN,
    phases,
    polls: pollDurations.length,
    pollMs: summarize(pollDurations),
    waha,
    checks,
  };

  // The floor: the same rows by plain multi-row INSERTs, under a scratch tenant and channel.
  if (dbMessages > 0) {
    const scratch = await ctx.api.call<{ tenantId: string; apiKey: string }>('createTenant', {
      name: `Bench floor ${c.label}`,
    });
    const scratchChannelId = await createChannel(new Api(ctx.apiUrl, scratch.apiKey), ctx.simUrl, `Floor ${c.label}`);
    await waitForOutboxIdle(ctx.db, 30_000);
    const floorStart = await ctx.sampler.snapshot();
    result.floor = await runInsertFloor(
      ctx.db,
      { tenantId, channelId },
      { tenantId: scratch.tenantId, channelId: scratchChannelId },
      settings.floorBatchRows,
    );
    // The window includes the untimed read-back of the case's rows; the INSERTs are most of it.
    result.floorCores = CpuSampler.delta(floorStart, await ctx.sampler.snapshot()).cores;
    log(
      `${c.label}: floor ${result.floor.messages} messages + ${result.floor.contacts} contacts + ${result.floor.sessions} sessions in ${result.floor.statements} statements, ` +
        `${result.floor.wallSeconds.toFixed(2)} s (${result.floor.rowsPerSecond.toFixed(0)} rows/s)`,
    );
  }
  return result;
}

/** The sliding window the API puts into the workflow input (HISTORY_IMPORT_CONCURRENCY, default 8). */
const importConcurrency = () =>
  Number(settings.apiEnv.HISTORY_IMPORT_CONCURRENCY ?? process.env.HISTORY_IMPORT_CONCURRENCY ?? 8);

function secondsPerChat(r: CaseResult): number {
  const importing = r.phases.filter((p) => p.phase === 'importing_chats').reduce((acc, p) => acc + p.seconds, 0);
  return importing > 0 && r.truth.chats > 0
    ? (importing * Math.min(importConcurrency(), r.truth.chats)) / r.truth.chats
    : Number.NaN;
}

const fixed = (v: number, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : '-');

function cpuSplit(cores: Record<string, number>): string {
  const listed = CPU_COMPONENTS.reduce((acc, n) => acc + (cores[n] ?? 0), 0);
  if (listed <= 0) return '-';
  return CPU_COMPONENTS.filter((n) => (cores[n] ?? 0) / listed >= 0.01)
    .map((n) => `${CPU_SHORT[n]} ${Math.round(((cores[n] ?? 0) / listed) * 100)}%`)
    .join(', ');
}

function printReport(
  results: CaseResult[],
  idleCpu: Record<string, number> | undefined,
  facts: { postgres: string; temporalCli: string; totalSeconds: number },
): void {
  console.log('\n## History import: POST -> completed, against the INSERT floor\n');
  console.log(
    markdownTable(
      [
        'case',
        'messages',
        'wall s',
        'msg/s',
        'floor s',
        'floor msg/s',
        'ratio',
        'sessions',
        'contacts',
        'worker RSS before MB',
        'worker RSS peak MB',
        'CPU split (share of listed)',
        'target',
        'verified',
      ],
      results.map((r) => {
        const target = targetSecondsOf(r.view.messagesImported || r.truth.distinctMessages);
        const met = r.view.status === 'completed' && r.wallSeconds <= target;
        return [
          r.case.label,
          String(r.view.messagesImported),
          fixed(r.wallSeconds),
          fixed(r.messagesPerSecond, 0),
          r.floor ? fixed(r.floor.wallSeconds, 2) : '-',
          r.floor ? fixed(r.floor.messagesPerSecond, 0) : '-',
          r.floor ? `${fixed(r.wallSeconds / r.floor.wallSeconds)}x` : '-',
          String(r.view.sessionsCreated),
          String(r.view.contactsCreated),
          mb(r.rss.beforeKb),
          mb(r.rss.peakKb),
          cpuSplit(r.cores),
          `<= ${fixed(target, 0)} s${isIssueCase(r.truth.distinctMessages) ? '' : ' (scaled)'}: ${met ? 'PASS' : 'MISS'}`,
          r.checks.every((k) => k.ok)
            ? 'ok'
            : `FAILED: ${r.checks
                .filter((k) => !k.ok)
                .map((k) => k.name)
                .join(', ')}`,
        ];
      }),
    ),
  );
  console.log(
    '\nwall s = POST sent -> the GET poll (every ' +
      settings.pollMs +
      ' ms) that saw the import ended; msg/s = messagesImported / wall s; ' +
      'floor = the same contacts and messages (every column) plus one session per contact, re-inserted under a scratch tenant and channel ' +
      `by multi-row INSERTs of ${settings.floorBatchRows} rows (autocommit each), timed over the INSERTs only; ratio = wall s / floor s. ` +
      'worker RSS: VmRSS before the POST and the highest VmRSS sampled every 250 ms during the case. CPU split: /proc utime+stime of each ' +
      'component over the case, as a share of the listed components (cores in the CPU table). Targets from the issue: 10k <= 15 s, 100k <= 150 s.',
  );

  console.log('\n### Verification\n');
  console.log(
    markdownTable(
      ['case', 'check', 'result', 'detail'],
      results.flatMap((r) => r.checks.map((k) => [r.case.label, k.name, k.ok ? 'ok' : 'FAILED', k.detail])),
    ),
  );

  console.log(`\n### CPU, cores used over each case (${cpus().length} cores on this machine)\n`);
  const names = [...CPU_COMPONENTS, 'other', 'machine busy'];
  const cpuRows: string[][] = [];
  if (idleCpu)
    cpuRows.push([
      '(idle)',
      `${settings.idleSeconds} s, nothing to do`,
      ...names.map((n) => fixed(idleCpu[n] ?? 0, 2)),
      '-',
    ]);
  for (const r of results) {
    cpuRows.push([
      r.case.label,
      `import, ${fixed(r.wallSeconds)} s`,
      ...names.map((n) => fixed(r.cores[n] ?? 0, 2)),
      fixed(r.cpuMsPerMessage, 2),
    ]);
    if (r.floor && r.floorCores)
      cpuRows.push([
        r.case.label,
        `floor (read-back + INSERTs)`,
        ...names.map((n) => fixed(r.floorCores![n] ?? 0, 2)),
        '-',
      ]);
  }
  console.log(markdownTable(['case', 'window', ...names, 'CPU ms / msg'], cpuRows));
  console.log(
    "(postgres (this db) = the backends connected to the bench database; postgres (server bg) = the server's background processes " +
      '(WAL writer, checkpointer, ...), shared with every other database on the server; other = busy time of everything else on the ' +
      'machine; CPU ms / msg = CPU seconds of the listed components over the case / messages imported.)',
  );

  console.log('\n### Where the time goes: phases as the polls saw them\n');
  console.log(
    markdownTable(
      [
        'case',
        'phase',
        'seconds',
        'share',
        'messages at end',
        'msg/s in phase',
        ...CPU_COMPONENTS.map((n) => CPU_SHORT[n]),
        'other',
      ],
      results.flatMap((r) =>
        r.phases.map((p) => [
          r.case.label,
          p.phase,
          fixed(p.seconds, 2),
          `${fixed((p.seconds / r.wallSeconds) * 100, 0)} %`,
          String(p.messagesAtEnd),
          p.seconds > 0 ? fixed((p.messagesAtEnd - p.messagesAtStart) / p.seconds, 0) : '-',
          ...CPU_COMPONENTS.map((n) => fixed(p.cores[n] ?? 0, 2)),
          fixed(p.cores.other ?? 0, 2),
        ]),
      ),
    ),
  );
  console.log(
    '(cores per component during the phase; a phase shorter than a poll interval may not show, its time going to its neighbours.)',
  );

  console.log('\n### Details\n');
  console.log(
    markdownTable(
      [
        'case',
        'chats',
        'groups',
        'served items',
        'duplicates',
        'skipped',
        'WAHA pages',
        'WAHA requests',
        's per chat',
        'server s',
        'worker RSS end MB',
        'worker VmHWM MB',
        'polls',
        'GET p50 ms',
        'GET max ms',
        'floor rows',
        'floor rows/s',
      ],
      results.map((r) => [
        r.case.label,
        String(r.truth.chats),
        String(r.truth.groups),
        String(r.truth.storedItems),
        String(r.view.messagesDuplicate),
        String(r.view.messagesSkipped),
        r.waha ? String(r.waha.chatMessages) : '-',
        r.waha ? `${r.waha.total}${r.waha.failed ? ` (${r.waha.failed} failed)` : ''}` : '-',
        fixed(secondsPerChat(r), 2),
        fixed(r.serverSeconds),
        mb(r.rss.endKb),
        mb(r.rss.hwmKb),
        String(r.polls),
        ms(r.pollMs.p50),
        ms(r.pollMs.max),
        r.floor ? String(r.floor.contacts + r.floor.sessions + r.floor.messages) : '-',
        r.floor ? fixed(r.floor.rowsPerSecond, 0) : '-',
      ]),
    ),
  );
  console.log(
    `(WAHA pages = GET .../chats/{id}/messages answered by the simulator during the case; s per chat = importing_chats seconds x ` +
      `concurrency (${importConcurrency()}) / chats: how long one chat holds a slot of the sliding window; ` +
      "server s = the stored startedAt -> completedAt; worker VmHWM = the worker's peak RSS since it started, all cases so far.)",
  );

  const cpu = cpus();
  const importEnv = Object.entries(process.env)
    .filter(([k]) => /^(HISTORY_IMPORT_|WAHA_RATE_LIMIT|WAHA_READ_|WAHA_HTTP_)/.test(k))
    .map(([k, v]) => `${k}=${v}`);
  console.log('\n### Machine and settings\n');
  console.log(
    `- cpus: ${cpu.length} x ${cpu[0]?.model ?? 'unknown'}; memory ${(totalmem() / 2 ** 30).toFixed(1)} GiB; load average at end: ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    `- node ${process.version}; PostgreSQL ${facts.postgres}; Temporal dev server from ${facts.temporalCli}${settings.temporalExtraArgs.length ? ` (${settings.temporalExtraArgs.join(' ')})` : ''}`,
  );
  console.log(
    `- cases ${settings.cases.map((c) => `${c.label} (seed ${c.seed})`).join(', ')}; import settings ${importEnv.length ? importEnv.join(', ') : `app defaults (page ${IMPORT_DEFAULTS.HISTORY_IMPORT_PAGE_SIZE}, concurrency ${IMPORT_DEFAULTS.HISTORY_IMPORT_CONCURRENCY}, ${IMPORT_DEFAULTS.HISTORY_IMPORT_CHATS_PER_RUN} chats per run, WAHA ${CHANNEL_DEFAULTS.WAHA_RATE_LIMIT_PER_SECOND} req/s per channel)`}; ` +
      `LOG_LEVEL=warn; total ${facts.totalSeconds.toFixed(0)} s`,
  );
  const extra = [
    ...Object.entries(settings.workerEnv).map(([k, v]) => `worker ${k}=${v}`),
    ...Object.entries(settings.apiEnv).map(([k, v]) => `api ${k}=${v}`),
  ];
  if (extra.length) console.log(`- extra child env: ${extra.join(', ')}`);
  console.log(
    '\nCaveat: one shared 2-core machine runs the bench, the simulator, the API, the worker, PostgreSQL and the Temporal dev server ' +
      '(and whatever else runs there: see "other"); absolute numbers drift by +-30 %, the ratio to the floor is the stable figure.',
  );
}

async function main(): Promise<void> {
  const started = performance.now();
  const { temporal, database, bundle } = await startBenchServices(settings.temporalExtraArgs);
  const temporalPid = childPids(process.pid, /temporal/)[0];

  log('starting the WAHA simulator child process');
  const simulator: BenchChild = await forkChild(
    'simulator',
    join(__dirname, 'support/import-simulator.js'),
    {},
    { log },
  );
  cleanups.push({ name: 'simulator process', run: () => simulator.stop() });
  const simUrl = String(simulator.ready.url);

  const common = {
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_ENSURE_NAMESPACE: 'false',
    LOG_LEVEL: 'warn',
    SECRETS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    // The simulator listens on loopback.
    WAHA_ALLOWED_CIDRS: '127.0.0.1/32',
  };
  log('starting the worker child process (WorkerModule, every task queue)');
  const worker: BenchChild = await forkBenchWorker(
    { ...common, WORKFLOW_BUNDLE_PATH: bundle.path, ...settings.workerEnv },
    { log },
  );
  cleanups.push({ name: 'worker process', run: () => worker.stop() });
  log('starting the API child process (createApiApp on 127.0.0.1)');
  const api: BenchChild = await forkChild(
    'api',
    join(__dirname, 'support/inbound-api.js'),
    { ...common, PORT: '0', ...settings.apiEnv },
    { log },
  );
  cleanups.push({ name: 'api process', run: () => api.stop() });
  const apiUrl = String(api.ready.url);
  log(`simulator at ${simUrl}, API at ${apiUrl}, worker pid ${worker.pid}`);

  const db = new Client({ connectionString: database.url });
  await db.connect();
  cleanups.push({ name: 'bench db client', run: () => db.end() });
  const sampler = new CpuSampler(async () => {
    const { rows } = await db.query<{ pid: number; bg: boolean }>(
      `SELECT pid, datname IS NULL AS bg FROM pg_stat_activity WHERE datname = $1 OR (datname IS NULL AND backend_type <> 'client backend')`,
      [database.name],
    );
    return {
      worker: [worker.pid],
      api: [api.pid],
      temporal: temporalPid ? [temporalPid] : [],
      'postgres (this db)': rows.filter((r) => !r.bg).map((r) => r.pid),
      'postgres (server bg)': rows.filter((r) => r.bg).map((r) => r.pid),
      simulator: [simulator.pid],
      bench: [process.pid],
    };
  });

  let idleCpu: Record<string, number> | undefined;
  if (settings.idleSeconds > 0) {
    await waitForOutboxIdle(db, 10_000);
    const before = await sampler.snapshot();
    await sleep(settings.idleSeconds * 1_000);
    idleCpu = CpuSampler.delta(before, await sampler.snapshot()).cores;
  }

  const results: CaseResult[] = [];
  let caseError: unknown;
  try {
    for (const c of settings.cases) {
      log(`case ${c.label}: ${c.chats} chats x ${c.messagesPerChat} messages (seed ${c.seed})`);
      results.push(await runCase(c, { api, apiUrl, simUrl, db, sampler, workerPid: worker.pid }));
      await sleep(1_000);
    }
  } catch (err) {
    // The cases that finished are still reported; the bench fails after the report.
    caseError = err;
  }

  log('stopping the API, worker and simulator processes');
  await api.stop();
  await worker.stop();
  await simulator.stop();
  await cleanupAll();
  printReport(results, idleCpu, {
    postgres: database.serverVersion,
    temporalCli: temporal.cliPath,
    totalSeconds: (performance.now() - started) / 1_000,
  });
  recordImportResult(results);

  if (caseError !== undefined) throw caseError;
  const failed = results.flatMap((r) =>
    r.checks.filter((k) => !k.ok).map((k) => `${r.case.label} ${k.name}: ${k.detail}`),
  );
  if (failed.length > 0) throw new Error(`VERIFICATION FAILED:\n  ${failed.join('\n  ')}`);
}

/** bench/results/import.json (support/results.ts): per case, wall time against the INSERT floor (no
 *  issue-11 target; the import's own targets are in the table above). */
function recordImportResult(results: CaseResult[]): void {
  const figures: Record<string, number | string | null> = {};
  const floors: Record<string, number | null> = {};
  const ratios: Record<string, number | null> = {};
  for (const r of results) {
    const key = r.case.label.replace(/\W+/g, '_');
    const target = targetSecondsOf(r.view.messagesImported || r.truth.distinctMessages);
    figures[`${key}_messages`] = r.view.messagesImported;
    figures[`${key}_wall_s`] = r.wallSeconds;
    figures[`${key}_msg_per_s`] = r.messagesPerSecond;
    figures[`${key}_target_s`] = target;
    figures[`${key}_verdict`] = r.view.status === 'completed' && r.wallSeconds <= target ? 'met' : 'missed';
    figures[`${key}_worker_rss_peak_kb`] = r.rss.peakKb;
    if (r.floor) {
      floors[`${key}_floor_wall_s`] = r.floor.wallSeconds;
      floors[`${key}_floor_msg_per_s`] = r.floor.messagesPerSecond;
      ratios[`${key}_wall_over_floor`] = r.wallSeconds / r.floor.wallSeconds;
    }
  }
  recordBenchResult('import', {
    figures,
    floors,
    ratios,
    cpu: Object.fromEntries(results.map((r) => [r.case.label, { import: r.cores, floor: r.floorCores }])),
  });
}

runBench(settings.watchdogMs, main);
