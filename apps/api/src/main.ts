import './tracing';
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { delay, drainHttpServer, handleShutdownSignals, ShutdownReadiness } from '@app/shared';
import { apiConfig } from './api.config';
import { createApiApp } from './create-api-app';

async function bootstrap(): Promise<void> {
  const app = await createApiApp();
  const { port, shutdown } = app.get<ConfigType<typeof apiConfig>>(apiConfig.KEY);
  await app.listen(port);

  const logger = new Logger('Shutdown');
  // Readiness first, then the delay (still serving), then no new connections and the in-flight
  // requests answered, and only then the Nest hooks that close the database and Temporal clients.
  handleShutdownSignals(async () => {
    app.get(ShutdownReadiness).markShuttingDown();
    await delay(shutdown.readinessDelayMs);
    const { drained, ms } = await drainHttpServer(app.getHttpServer(), shutdown.drainTimeoutMs);
    logger.log(
      drained ? `in-flight requests drained in ${ms} ms` : `drain timed out after ${ms} ms; open connections cut`,
    );
    await app.close();
  }, logger);
}

bootstrap().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
