import 'reflect-metadata';
import { type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { TemporalWorkerHost } from '../../apps/worker/src/temporal-worker.host';
import { failStartup, serveParent } from './inbound-children';
import { applyBenchWorkerOptions } from './worker-options';

/**
 * Child process of `npm run bench:inbound`: the worker as apps/worker/src/main.ts runs it
 * (WorkerModule, every task queue), configured by the environment the benchmark passes. Own process,
 * as in production, so its workflow threads, activities and Rust core do not share an event loop with
 * the API or the load generator.
 */
async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  applyBenchWorkerOptions();
  const app: INestApplicationContext = await NestFactory.createApplicationContext(WorkerModule, {
    logger: ['warn', 'error'],
    abortOnError: false,
  });
  await app.init();
  const host = app.get(TemporalWorkerHost);
  host.done.catch((err: unknown) => {
    console.error(`worker failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
  serveParent({ memory: async () => process.memoryUsage() }, () => app.close());
  process.send?.({ type: 'ready', data: { pid: process.pid, state: host.state } });
}

main().catch(failStartup);
