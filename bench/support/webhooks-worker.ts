import 'reflect-metadata';
import { type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { CreateWebhookSubscriptionHandler, type WebhookSettings, webhookConfig } from '@app/webhook';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { TemporalWorkerHost } from '../../apps/worker/src/temporal-worker.host';
import { type WorkerConfig, workerConfig } from '../../apps/worker/src/worker.config';
import { failStartup, serveParent } from './inbound-children';
import { applyBenchWorkerOptions } from './worker-options';

/**
 * Child process of `npm run bench:webhooks`: the worker as apps/worker/src/main.ts runs it
 * (WorkerModule; the task queues of WORKER_TASK_QUEUES), configured by the environment the benchmark
 * passes. Its own process, as in production, so the workflow threads, the activities (HTTP sends and
 * their database bookkeeping) and the Rust core do not share an event loop with the load generator
 * and the receivers, which would distort both sides.
 *
 * BENCH_WORKER_OPTIONS (JSON, benchmark only): extra Temporal WorkerOptions per task queue, e.g.
 * `{"webhooks":{"maxCachedWorkflows":5000}}` (support/worker-options.ts), applied to Worker.create as the host calls it, for
 * tuning experiments the worker's configuration does not offer (the webhooks queue's activity slots
 * it does: WORKER_WEBHOOK_MAX_CONCURRENT_ACTIVITIES).
 *
 * IPC ops: `subscribe` (CreateWebhookSubscriptionHandler, exactly what POST /v1/webhook-subscriptions
 * runs: URL guard, encrypted secret) and `memory`.
 */
async function main(): Promise<void> {
  // Core's WARN lines (e.g. "Activity not found on completion" for the dead endpoint's runs the bench
  // terminates while an attempt is in flight) would bury the tables.
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
    shutdownSignals: [],
  });
  const workerOptions = applyBenchWorkerOptions();
  const app: INestApplicationContext = await NestFactory.createApplicationContext(WorkerModule, {
    logger: ['error'],
    abortOnError: false,
  });
  await app.init();
  const host = app.get(TemporalWorkerHost);
  host.done.catch((err: unknown) => {
    console.error(`worker failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
  const create = app.get(CreateWebhookSubscriptionHandler, { strict: false });
  serveParent(
    {
      subscribe: async (args) => {
        const { tenantId, url, eventTypes, maxAttempts } = args as {
          tenantId: string;
          url: string;
          eventTypes: string[];
          maxAttempts?: number;
        };
        const view = await create.execute({ tenantId, url, eventTypes, maxAttempts });
        return { id: view.id, secret: view.secret };
      },
      memory: async () => process.memoryUsage(),
    },
    () => app.close(),
  );
  const config = app.get<WorkerConfig>(workerConfig.KEY);
  const webhook = app.get<WebhookSettings>(webhookConfig.KEY);
  process.send?.({
    type: 'ready',
    data: {
      pid: process.pid,
      state: host.state,
      workerOptions,
      webhookActivitySlots: config.webhookMaxConcurrentActivities,
      webhookWorkflowTaskSlots: config.webhookMaxConcurrentWorkflowTasks,
      outboxBatchSize: config.outboxProcessor.batchSize,
      inlineAttemptTimeoutMs: webhook.inlineAttemptTimeoutMs,
      inlineMaxPerSubscription: webhook.inlineMaxPerSubscription,
      webhookTimeoutMs: webhook.timeoutMs,
      slowAfterMs: webhook.slowAfterMs,
      outboxWakeMinIntervalMs: config.outboxWakeMinIntervalMs,
    },
  });
}

main().catch(failStartup);
