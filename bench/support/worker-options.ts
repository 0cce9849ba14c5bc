import { Worker, type WorkerOptions } from '@temporalio/worker';

/**
 * Bench lever for Temporal WorkerOptions the worker's configuration does not offer (pollers, cache),
 * without touching apps/. BENCH_WORKER_OPTIONS is JSON, in one of two forms:
 * - per task queue: `{"inbound":{"nonStickyToStickyPollRatio":1},"*":{...}}` (keys: task queue
 *   names, or "*" for every queue; a queue's own entry wins over "*");
 * - flat: `{"nonStickyToStickyPollRatio":1}`, for the queues of BENCH_WORKER_OPTIONS_QUEUES
 *   (comma-separated; every queue when unset).
 * Merged over what the worker passes to `Worker.create`. The worker children of the benches apply
 * it before they create their workers (the child env inherits the variables); the inbound bench's
 * saga floor worker takes the `inbound` queue's options, as it stands in for that queue.
 */
export type PerQueueWorkerOptions = Record<string, Partial<WorkerOptions>>;

/** Task queue names a per-queue BENCH_WORKER_OPTIONS may use (apps/worker's, and "*"). */
const QUEUE_KEY = /^(\*|inbound|sessions|outbox|webhooks|history-import|automation|bench-[\w-]+)$/;

export interface BenchWorkerOptions {
  perQueue: PerQueueWorkerOptions;
  /** Flat form: the options and the queues they apply to (undefined: all). Per-queue form: the "*" entry, all queues. */
  options: Partial<WorkerOptions>;
  queues?: string[];
  /** The options a worker of `taskQueue` gets. */
  forQueue(taskQueue: string): Partial<WorkerOptions>;
}

export function benchWorkerOptions(): BenchWorkerOptions {
  const raw = process.env.BENCH_WORKER_OPTIONS?.trim();
  let perQueue: PerQueueWorkerOptions = {};
  let options: Partial<WorkerOptions> = {};
  let queues: string[] | undefined;
  if (raw) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new Error(`BENCH_WORKER_OPTIONS must be JSON WorkerOptions, flat or per task queue (got ${raw})`);
    }
    const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
    if (!isObject(parsed)) throw new Error(`BENCH_WORKER_OPTIONS must be a JSON object (got ${raw})`);
    const keys = Object.keys(parsed);
    if (keys.length > 0 && keys.every((k) => QUEUE_KEY.test(k)) && Object.values(parsed).every(isObject)) {
      perQueue = parsed as PerQueueWorkerOptions;
      options = perQueue['*'] ?? {};
    } else {
      options = parsed as Partial<WorkerOptions>;
      queues = process.env.BENCH_WORKER_OPTIONS_QUEUES?.split(',')
        .map((q) => q.trim())
        .filter(Boolean);
      if (!queues?.length) queues = undefined;
      perQueue = queues ? Object.fromEntries(queues.map((q) => [q, options])) : { '*': options };
    }
  }
  return {
    perQueue,
    options,
    queues,
    forQueue: (taskQueue) => ({ ...(perQueue['*'] ?? {}), ...(perQueue[taskQueue] ?? {}) }),
  };
}

/** Wraps `Worker.create` so every worker this process creates gets its BENCH_WORKER_OPTIONS;
 *  `alias` maps a task queue to the one whose options it takes (the saga floor worker: inbound). */
export function applyBenchWorkerOptions(alias: Record<string, string> = {}): PerQueueWorkerOptions {
  const bench = benchWorkerOptions();
  if (Object.keys(bench.perQueue).length === 0) return bench.perQueue;
  const create = Worker.create.bind(Worker);
  Worker.create = (options: WorkerOptions) =>
    create({ ...options, ...bench.forQueue(alias[options.taskQueue] ?? options.taskQueue) });
  return bench.perQueue;
}

/** The options BENCH_WORKER_OPTIONS gives a worker of `taskQueue` (either form). */
export function benchWorkerOptionsFor(taskQueue: string): Partial<WorkerOptions> {
  return benchWorkerOptions().forQueue(taskQueue);
}
