import './tracing';
import 'reflect-metadata';
import { Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { Logger } from 'nestjs-pino';
import { handleShutdownSignals, validateConfig } from '@app/shared';
import { WorkerEnv } from './worker.config';
import { WorkerModule } from './worker.module';
import { TemporalWorkerHost } from './temporal-worker.host';

async function main(): Promise<void> {
  const env = validateConfig(WorkerEnv, process.env);
  // Before any connection exists. This process owns SIGTERM (handleShutdownSignals below); the
  // runtime must not install its own signal handlers as well.
  Runtime.install({
    logger: new DefaultLogger(env.TEMPORAL_SDK_LOG_LEVEL),
    shutdownSignals: [],
    telemetryOptions: {
      metrics: { prometheus: { bindAddress: `${env.TEMPORAL_METRICS_HOST}:${env.TEMPORAL_METRICS_PORT}` } },
    },
  });

  const app = await NestFactory.createApplicationContext(WorkerModule, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  await app.init();
  const host = app.get(TemporalWorkerHost);

  // The workers drain before any Nest hook runs: those close the HTTP agents, the outbox relay and
  // the database that running activities still use.
  handleShutdownSignals(async () => {
    await host.drain();
    await app.close();
  }, new NestLogger('Shutdown'));

  try {
    await host.done;
  } catch {
    await app.close().catch(() => undefined);
    process.exit(1);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
