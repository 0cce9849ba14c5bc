import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type BenchChild, forkChild } from './inbound-children';
import { CpuSampler, type CpuSnapshot } from './inbound-cpu';
import {
  type BenchChannel,
  type CommitGauge,
  InboundTraffic,
  type PostRecord,
  runMaxPosts,
  WebhookPoster,
} from './inbound-traffic';
import type { FloorPgArgs, FloorPgRun } from './floor-pg';
import { summarize, type Summary } from './stats';
import { log } from './bench-process';

/**
 * The floors of `npm run bench:inbound`: the same work as a mode's saturated phase, done the plainest
 * way, each in its own child process(es), saturated at the same concurrency, in the same run.
 * - receiver: Nest on Express answering 202 at the receiver's path (support/floor-receiver.ts), hit
 *   by the same WebhookPoster, at most `concurrency` requests in flight.
 * - pg: the direct-mode transaction's statements, captured in this run, replayed through a plain
 *   `pg` Pool (support/floor-pg.ts).
 * - saga: a no-op workflow with ONE local activity (bench/floors), started as the API starts sagas
 *   from a child process (support/floor-saga-starter.ts), run by a worker child of its own
 *   (support/floor-saga-worker.ts), at most `concurrency` started and not run.
 * The CPU window of each is the measured part (after the warm-up), like the modes' phases.
 */

export type FloorKey = 'receiver' | 'pg' | 'saga';

export interface FloorResult {
  key: FloorKey;
  label: string;
  /** Completed units per second over the measured window (answers, transactions, workflows). */
  rate: number;
  unit: string;
  count: number;
  errors: number;
  firstError?: string;
  /** Per-unit latency (HTTP round trip; transaction; start call -> local activity ran). */
  latency: Summary;
  cpu: Record<string, number>;
  seconds: number;
  concurrency: number;
}

export interface FloorContext {
  sampler: CpuSampler;
  /** The sampler's "floor" and "floor worker" groups read these pids. */
  floorPids: { floor: number[]; floorWorker: number[] };
  childEnv: Record<string, string>;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** CPU cores per component from `warmupMs` after now until `work` resolves. */
async function withCpuWindow<T>(
  sampler: CpuSampler,
  warmupMs: number,
  work: () => Promise<T>,
): Promise<{ value: T; cpu: Record<string, number> }> {
  const start = await sampler.snapshot();
  let measured: CpuSnapshot | undefined;
  const timer = setTimeout(() => void sampler.snapshot().then((s) => (measured = s)), warmupMs);
  const value = await work();
  clearTimeout(timer);
  const end = await sampler.snapshot();
  return { value, cpu: CpuSampler.delta(measured ?? start, end).cores };
}

async function withChildren<T>(
  ctx: FloorContext,
  children: Promise<BenchChild>[],
  work: (c: BenchChild[]) => Promise<T>,
): Promise<T> {
  const started = await Promise.allSettled(children);
  const ok = started
    .filter((s): s is PromiseFulfilledResult<BenchChild> => s.status === 'fulfilled')
    .map((s) => s.value);
  try {
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    return await work(ok);
  } finally {
    ctx.floorPids.floor = [];
    ctx.floorPids.floorWorker = [];
    await Promise.all(ok.map((c) => c.stop()));
  }
}

function summarizeRecords(
  records: PostRecord[],
  measuredStartEpoch: number,
  completedAt: (r: PostRecord) => number | undefined,
) {
  const measured = records.filter((r) => r.measured);
  const ok = measured.filter((r) => r.status === 202 && completedAt(r) !== undefined);
  const last = ok.reduce((acc, r) => Math.max(acc, completedAt(r)!), measuredStartEpoch);
  const errors = measured.filter((r) => r.status !== 202);
  return {
    count: ok.length,
    rate: ok.length / Math.max(1e-3, (last - measuredStartEpoch) / 1_000),
    latency: summarize(ok.map((r) => completedAt(r)! - r.postStartEpoch)),
    errors: errors.length,
    firstError: errors[0]?.error,
    seconds: (last - measuredStartEpoch) / 1_000,
  };
}

/** Receiver floor: saturated req/s of a Nest-on-Express route answering 202 without work. */
export async function runReceiverFloor(ctx: FloorContext): Promise<FloorResult> {
  const child = forkChild('floor receiver', join(__dirname, 'floor-receiver.js'), ctx.childEnv, { log });
  return withChildren(ctx, [child], async ([receiver]) => {
    ctx.floorPids.floor = [receiver.pid];
    const poster = new WebhookPoster(String(receiver.ready.url), ctx.concurrency);
    const channel: BenchChannel = {
      mode: 'direct',
      tenantId: '00000000-0000-4000-8000-000000000000',
      channelId: '00000000-0000-4000-8000-000000000001',
      webhookSecret: 'floor',
    };
    const traffic = new InboundTraffic(channel, 0.3, '5511900');
    let answered = 0;
    const gauge: CommitGauge = { committed: () => answered };
    try {
      const { value: run, cpu } = await withCpuWindow(ctx.sampler, ctx.warmupMs, () =>
        runMaxPosts({
          send: async (measured) => {
            const record = await poster.post(traffic, measured);
            if (record.status === 202) answered += 1;
            return record;
          },
          warmupMs: ctx.warmupMs,
          durationMs: ctx.durationMs,
          concurrency: ctx.concurrency,
          maxMessages: 500_000,
          gauge,
        }),
      );
      const s = summarizeRecords(run.records, run.measuredStartEpoch, (r) => r.postStartEpoch + r.httpMs);
      return {
        key: 'receiver',
        label: 'receiver floor (Nest/Express 202, no work)',
        unit: 'req/s',
        concurrency: ctx.concurrency,
        cpu,
        ...s,
      };
    } finally {
      poster.close();
    }
  });
}

/** Direct-mode transaction floor: the same statements through a plain `pg` Pool, closed loop. */
export async function runPgFloor(
  ctx: FloorContext,
  args: { databaseUrl: string; poolSize: number } & Pick<
    FloorPgArgs,
    'captured' | 'tenantId' | 'channelId' | 'newShare'
  >,
): Promise<FloorResult> {
  const child = forkChild(
    'floor pg',
    join(__dirname, 'floor-pg.js'),
    { ...ctx.childEnv, DATABASE_URL: args.databaseUrl, FLOOR_POOL_SIZE: String(args.poolSize) },
    { log },
  );
  return withChildren(ctx, [child], async ([pg]) => {
    ctx.floorPids.floor = [pg.pid];
    const { value: run, cpu } = await withCpuWindow(ctx.sampler, ctx.warmupMs, () =>
      pg.call<FloorPgRun>(
        'run',
        {
          captured: args.captured,
          tenantId: args.tenantId,
          channelId: args.channelId,
          concurrency: ctx.concurrency,
          warmupMs: ctx.warmupMs,
          durationMs: ctx.durationMs,
          newShare: args.newShare,
          phonePrefix: '5511960',
        } satisfies FloorPgArgs,
        ctx.warmupMs + ctx.durationMs + 60_000,
      ),
    );
    return {
      key: 'pg',
      label: `direct-tx floor (plain pg, pool ${run.poolSize}, ${run.statementsNew}/${run.statementsReturning} statements)`,
      unit: 'tx/s',
      rate: run.txPerSecond,
      count: run.transactions,
      errors: run.errors,
      firstError: run.firstError,
      latency: run.txMs,
      cpu,
      seconds: run.seconds,
      concurrency: run.concurrency,
    };
  });
}

/** Saga floor: no-op workflows (one local activity), started like sagas, at most `concurrency` not run yet. */
export async function runSagaFloor(ctx: FloorContext, drainTimeoutMs: number): Promise<FloorResult> {
  const worker = forkChild('floor worker', join(__dirname, 'floor-saga-worker.js'), ctx.childEnv, {
    log,
    readyTimeoutMs: 120_000,
  });
  const starter = forkChild('floor starter', join(__dirname, 'floor-saga-starter.js'), ctx.childEnv, { log });
  return withChildren(ctx, [worker, starter], async ([w, s]) => {
    ctx.floorPids.floor = [s.pid];
    ctx.floorPids.floorWorker = [w.pid];
    let completed = await w.call<number>('completed');
    const baseline = completed;
    let stopped = false;
    const poll = (async () => {
      while (!stopped) {
        completed = await w.call<number>('completed');
        await sleep(50);
      }
    })();
    const gauge: CommitGauge = { committed: () => completed - baseline };
    const prefix = `floor-noop-${Date.now().toString(36)}`;
    let seq = 0;
    const send = async (measured: boolean): Promise<PostRecord> => {
      const workflowId = `${prefix}-${seq++}`;
      const postStartEpoch = Date.now();
      const postStartPerf = performance.now();
      const record: PostRecord = {
        externalId: workflowId,
        phone: '',
        newContact: false,
        postStartEpoch,
        postStartPerf,
        httpMs: Number.NaN,
        status: 0,
        measured,
      };
      try {
        await s.call('start', { workflowId });
        record.status = 202;
      } catch (err) {
        record.error = err instanceof Error ? err.message : String(err);
      }
      record.httpMs = performance.now() - postStartPerf;
      return record;
    };
    const { value: run, cpu } = await withCpuWindow(ctx.sampler, ctx.warmupMs, async () => {
      const result = await runMaxPosts({
        send,
        warmupMs: ctx.warmupMs,
        durationMs: ctx.durationMs,
        concurrency: ctx.concurrency,
        maxMessages: 500_000,
        gauge,
      });
      const started = result.records.filter((r) => r.status === 202).length;
      const deadline = performance.now() + drainTimeoutMs;
      while (gauge.committed() < started && performance.now() < deadline) await sleep(50);
      return result;
    });
    stopped = true;
    await poll;
    const ids = run.records.filter((r) => r.measured && r.status === 202).map((r) => r.externalId);
    const at = new Map<string, number>();
    for (let i = 0; i < ids.length; i += 5_000) {
      for (const [id, t] of Object.entries(
        await w.call<Record<string, number>>('takeCompletions', ids.slice(i, i + 5_000)),
      ))
        at.set(id, t);
    }
    const summary = summarizeRecords(run.records, run.measuredStartEpoch, (r) => at.get(r.externalId));
    return {
      key: 'saga',
      label: 'saga floor (no-op workflow, 1 local activity)',
      unit: 'wf/s',
      concurrency: ctx.concurrency,
      cpu,
      ...summary,
    };
  });
}
