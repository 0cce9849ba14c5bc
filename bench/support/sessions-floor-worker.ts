import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { type SessionTimerActivities } from '../floors/session-timer.workflow';
import { failStartup, serveParent } from './inbound-children';
import { benchWorkerOptionsFor } from './worker-options';
import { benchDataConverter } from './data-converter';

/**
 * Child process of `npm run bench:sessions`: the floor's worker. One Temporal Worker on its own task
 * queue (SESSIONS_FLOOR_TASK_QUEUE), running the prebundled floor workflow (SESSIONS_FLOOR_BUNDLE_PATH,
 * bench/floors/session-timer.workflow.ts) and a no-op local activity, with the options the production
 * worker gives its session queue (SDK defaults: cache size from the heap limit, reused V8 context;
 * shutdownGraceTime 30 s; plus the BENCH_WORKER_OPTIONS entry of the `sessions` queue, as the bench's
 * production worker child applies it), in its own process like the production worker.
 */
async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  const address = process.env.TEMPORAL_ADDRESS;
  const codePath = process.env.SESSIONS_FLOOR_BUNDLE_PATH;
  const taskQueue = process.env.SESSIONS_FLOOR_TASK_QUEUE;
  if (!address || !codePath || !taskQueue)
    throw new Error('TEMPORAL_ADDRESS, SESSIONS_FLOOR_BUNDLE_PATH and SESSIONS_FLOOR_TASK_QUEUE are required');
  const connection = await NativeConnection.connect({ address });
  const activities: SessionTimerActivities = { sessionTimerNoop: async () => undefined };
  // It stands in for the production worker's `sessions` queue: it takes that queue's BENCH_WORKER_OPTIONS.
  const overrides = benchWorkerOptionsFor('sessions');
  const worker = await Worker.create({
    connection,
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue,
    workflowBundle: { codePath },
    activities,
    dataConverter: benchDataConverter(),
    shutdownGraceTime: '30 seconds',
    ...overrides,
  });
  const run = worker.run();
  run.catch((err: unknown) => {
    console.error(`floor worker failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
  serveParent({ memory: async () => process.memoryUsage() }, async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await run.catch(() => undefined);
    await connection.close();
  });
  process.send?.({ type: 'ready', data: { pid: process.pid, maxCachedWorkflows: worker.options.maxCachedWorkflows } });
}

main().catch(failStartup);
