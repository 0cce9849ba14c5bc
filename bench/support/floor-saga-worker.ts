import { Context } from '@temporalio/activity';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { NOOP_FLOOR_TASK_QUEUE, type NoopFloorActivities } from '../floors/noop-activities';
import { failStartup, serveParent } from './inbound-children';
import { applyBenchWorkerOptions } from './worker-options';
import { benchDataConverter } from './data-converter';

/**
 * Child process of `npm run bench:inbound`: the saga floor's worker. Like the real worker (its own
 * process, a NativeConnection, Worker.create with the SDK defaults the production worker uses on
 * the inbound queue, plus BENCH_WORKER_OPTIONS when set), but with its own bundle: the no-op
 * workflow of bench/floors (workflowsPath), on its own task queue. Records when each workflow's
 * local activity ran (Date.now(), as the saga's created_at is stamped in its local activity).
 */
async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  // The floor stands in for the inbound queue: it takes that queue's BENCH_WORKER_OPTIONS.
  applyBenchWorkerOptions({ [NOOP_FLOOR_TASK_QUEUE]: 'inbound' });
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
  const done = new Map<string, number>();
  let completed = 0;
  const activities: NoopFloorActivities = {
    noop: async () => {
      done.set(Context.current().info.workflowExecution?.workflowId ?? '', Date.now());
      completed += 1;
    },
  };
  const worker = await Worker.create({
    connection,
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: NOOP_FLOOR_TASK_QUEUE,
    workflowsPath: require.resolve('../floors/noop.workflow'),
    activities,
    dataConverter: benchDataConverter(),
    shutdownGraceTime: '30 seconds',
  });
  const running = worker.run();
  running.catch((err: unknown) => {
    console.error(`floor worker failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
  serveParent(
    {
      completed: async () => completed,
      /** When each of these workflows ran its activity (epoch ms), and forgets them. */
      takeCompletions: async (ids) => {
        const out: Record<string, number> = {};
        for (const id of ids as string[]) {
          const at = done.get(id);
          if (at !== undefined) out[id] = at;
          done.delete(id);
        }
        return out;
      },
    },
    async () => {
      worker.shutdown();
      await running.catch(() => undefined);
      await connection.close();
    },
  );
  process.send?.({ type: 'ready', data: { pid: process.pid } });
}

main().catch(failStartup);
