import { Inject, Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { NativeConnection, Worker, WorkerOptions } from '@temporalio/worker';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import { Gauge } from 'prom-client';
import { databaseConfig, DatabaseConfig } from '@app/database';
import { tracingRuntime } from '@app/shared';
import {
  activitiesOf,
  HistoryImportActivities,
  AutomationActivities,
  connectionOptions,
  InboundActivities,
  OUTBOX_PROCESSOR_WORKFLOW_ID,
  OutboxActivities,
  SessionLifecycleActivities,
  WebhookActivities,
  TaskQueue,
  TaskQueues,
  TemporalClientProvider,
} from '@app/workflows';
import { OutboxRelayService } from '@app/outbox';
import { delay } from '@app/shared';
import { type SweepSchedule, workerConfig, WorkerConfig } from './worker.config';
import { ensureNamespace } from './namespace';
import { OutboxWakeRelay } from './outbox-wake.relay';
import { OutboxProcessorSupervisor } from './outbox-processor.supervisor';
import { resolveWorkflowCode } from './workflow-code';

/** With tracing on: activities run in a span continuing the workflow's trace (from the Temporal
 *  headers), and the spans the bundled workflow interceptors make in the sandbox leave through the
 *  process's span processor (the `exporter` sink). */
function tracingOptions(): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  const runtime = tracingRuntime();
  if (!runtime) return {};
  return {
    interceptors: {
      activity: [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
    },
    sinks: { exporter: makeWorkflowExporter(runtime.spanProcessor, runtime.resource) },
  };
}

export type WorkerHostState = 'starting' | 'running' | 'draining' | 'stopped' | 'failed';

/** The hosts of this process (one outside tests), for the gauge below. */
const hosts = new Set<TemporalWorkerHost>();
new Gauge({
  name: 'crm_worker_task_queue_running',
  help: '1 for each task queue whose Temporal worker in this process is RUNNING (polling), 0 while it starts, drains or after it stopped or failed',
  labelNames: ['task_queue'] as const,
  collect() {
    this.reset();
    for (const host of hosts)
      for (const [taskQueue, running] of host.runningByTaskQueue())
        this.set({ task_queue: taskQueue }, running ? 1 : 0);
  },
});

/** Owns the Temporal workers of this process: one per selected task queue, created once DI is
 *  ready, `run()` awaited, drained by `drain()` on SIGTERM (main.ts) or when Nest closes. A worker that
 *  fails makes `done` reject, and main exits non-zero so the supervisor restarts the pod. */
@Injectable()
export class TemporalWorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(TemporalWorkerHost.name);
  private readonly workers: Worker[] = [];
  private nativeConnection?: NativeConnection;
  private wakeRelay?: OutboxWakeRelay;
  /** Keeps the singleton processor running (only where this process serves the outbox queue). */
  outboxProcessor?: OutboxProcessorSupervisor;
  private runs: Promise<void>[] = [];
  private draining?: Promise<void>;
  private resolveDone!: () => void;
  private rejectDone!: (err: unknown) => void;
  state: WorkerHostState = 'starting';
  /** Settles when every worker has stopped: resolves after a drain, rejects when one failed. */
  readonly done = new Promise<void>((resolve, reject) => {
    this.resolveDone = resolve;
    this.rejectDone = reject;
  });

  constructor(
    @Inject(workerConfig.KEY) private readonly config: WorkerConfig,
    @Inject(databaseConfig.KEY) private readonly database: DatabaseConfig,
    private readonly temporal: TemporalClientProvider,
    private readonly moduleRef: ModuleRef,
  ) {
    this.done.catch(() => undefined);
  }

  get outboxProcessorWorkflowId(): string {
    return this.config.outboxProcessorWorkflowId ?? OUTBOX_PROCESSOR_WORKFLOW_ID;
  }

  /** Per selected task queue: whether its worker is running (false before it exists). */
  runningByTaskQueue(): [string, boolean][] {
    return this.config.taskQueues.map((taskQueue) => [
      taskQueue,
      this.workers.find((w) => w.options.taskQueue === taskQueue)?.getState() === 'RUNNING',
    ]);
  }

  async onApplicationBootstrap(): Promise<void> {
    hosts.add(this);
    const { namespace, namespaceRetentionDays, ensureNamespace: ensure } = this.temporal.config;
    if (ensure) await ensureNamespace(this.temporal.connection, namespace, namespaceRetentionDays, this.logger);

    this.nativeConnection = await NativeConnection.connect(connectionOptions(this.temporal.config));
    this.temporal.shareWorkerConnection(this.nativeConnection);
    const workflowCode = await resolveWorkflowCode(this.config.workflowBundlePath, tracingRuntime() !== undefined);
    const tracing = tracingOptions();
    for (const taskQueue of this.config.taskQueues) {
      const options: WorkerOptions = {
        connection: this.nativeConnection,
        namespace,
        taskQueue,
        ...workflowCode,
        ...tracing,
        activities: activitiesOf(...this.activitiesFor(taskQueue)),
        dataConverter: this.temporal.dataConverter,
        shutdownGraceTime: this.config.shutdown.graceMs,
        ...(taskQueue === TaskQueues.webhooks
          ? {
              maxConcurrentActivityTaskExecutions: this.config.webhookMaxConcurrentActivities,
              maxConcurrentWorkflowTaskExecutions: this.config.webhookMaxConcurrentWorkflowTasks,
            }
          : {}),
        ...(taskQueue === TaskQueues.sessions ? { maxCachedWorkflows: this.config.sessionsMaxCachedWorkflows } : {}),
      };
      this.workers.push(await Worker.create(options));
    }

    this.runs = this.workers.map((worker) =>
      worker.run().catch((err: unknown) => {
        this.logger.error({ err, taskQueue: worker.options.taskQueue }, 'Temporal worker failed');
        this.state = 'failed';
        this.rejectDone(err);
        throw err;
      }),
    );
    void Promise.allSettled(this.runs).then((results) => {
      hosts.delete(this);
      if (results.every((r) => r.status === 'fulfilled')) {
        this.state = 'stopped';
        this.resolveDone();
      }
    });
    this.state = 'running';
    this.logger.log(`Temporal workers running on ${this.config.taskQueues.join(', ')} (namespace ${namespace})`);

    if (this.config.taskQueues.includes(TaskQueues.outbox)) await this.startOutboxProcessor();
    if (this.config.taskQueues.includes(TaskQueues.automation))
      await this.ensureSchedule(this.config.sessionCleanup, 'SessionCleanupWorkflow', TaskQueues.automation);
    if (this.config.taskQueues.includes(TaskQueues.webhooks))
      await this.ensureSchedule(this.config.webhookHeldRelease, 'WebhookHeldReleaseWorkflow', TaskQueues.webhooks);
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.drain({ readinessDelayMs: 0 });
  }

  /** The shutdown sequence (once; later calls wait for the first): readiness false at once, polling
   *  goes on for the readiness delay, then no new outbox wakes and no new tasks; running activities
   *  and the in-process outbox drain get the grace period to finish, so none is retried because of
   *  the shutdown. */
  drain({ readinessDelayMs = this.config.shutdown.readinessDelayMs } = {}): Promise<void> {
    this.draining ??= this.runDrain(readinessDelayMs);
    return this.draining;
  }

  private async runDrain(readinessDelayMs: number): Promise<void> {
    if (this.state === 'stopped') return;
    if (this.state !== 'failed') this.state = 'draining';
    await delay(readinessDelayMs);
    const startedAt = Date.now();
    const graceEndsAt = startedAt + this.config.shutdown.graceMs;
    await this.wakeRelay?.stop();
    await this.outboxProcessor?.stop();
    this.logger.log('draining Temporal workers');
    for (const worker of this.workers) {
      if (worker.getState() === 'RUNNING') worker.shutdown();
    }
    await Promise.allSettled(this.runs);
    // Publishes the relay let finish in the background still hold their claim: record their outcome
    // within what is left of the grace period (the pod's terminationGracePeriodSeconds counts on it).
    if (this.config.taskQueues.includes(TaskQueues.outbox)) {
      await this.moduleRef
        .get(OutboxRelayService, { strict: false })
        .drainDetached(Math.max(0, graceEndsAt - Date.now()));
    }
    await this.nativeConnection?.close();
    this.logger.log(`Temporal workers drained in ${Date.now() - startedAt} ms`);
  }

  private activitiesFor(taskQueue: TaskQueue): object[] {
    const get = <T>(type: new (...args: never[]) => T) => this.moduleRef.get(type, { strict: false });
    switch (taskQueue) {
      case TaskQueues.outbox:
        return [get(OutboxActivities)];
      case TaskQueues.inbound:
        return [get(InboundActivities)];
      case TaskQueues.sessions:
        return [get(SessionLifecycleActivities)];
      case TaskQueues.automation:
        return [get(AutomationActivities)];
      case TaskQueues.webhooks:
        return [get(WebhookActivities)];
      case TaskQueues.historyImport:
        return [get(HistoryImportActivities)];
    }
  }

  /** Creates a sweep's Schedule (session-cleanup, webhook-held-release), or brings an existing one
   *  to the configured interval and input. A run still going when the next is due is not doubled. */
  private async ensureSchedule(
    { scheduleId, intervalSeconds, batchSize }: SweepSchedule,
    workflowType: string,
    taskQueue: TaskQueue,
  ): Promise<void> {
    const options = {
      spec: { intervals: [{ every: intervalSeconds * 1000 }] },
      action: { type: 'startWorkflow' as const, workflowType, taskQueue, args: [{ batchSize }] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: 60_000 },
    };
    try {
      await this.temporal.client.schedule.create({ scheduleId, ...options });
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await this.temporal.client.schedule.getHandle(scheduleId).update((current) => ({ ...current, ...options }));
    }
  }

  /** Starts the singleton processor (an existing run is kept) and keeps it running and on this
   *  worker's settings. A NOTIFY drains the pending events right here (claim and publish until a
   *  batch comes back short), without a Temporal round trip: the claim makes that safe alongside the
   *  processor and other workers, and the processor's sweep still picks up retries, cleanup and
   *  anything a lost NOTIFY left behind. */
  private async startOutboxProcessor(): Promise<void> {
    const workflowId = this.outboxProcessorWorkflowId;
    this.outboxProcessor = new OutboxProcessorSupervisor(
      this.temporal.client,
      workflowId,
      this.config.outboxProcessor,
      this.config.outboxProcessorSupervision,
    );
    await this.outboxProcessor.start();
    if (!this.config.outboxWakeOnNotify) return;
    const relay = this.moduleRef.get(OutboxRelayService, { strict: false });
    const { batchSize } = this.config.outboxProcessor;
    const drain = async () => {
      for (let full = true; full;) full = (await relay.processPending(batchSize)).claimed >= batchSize;
    };
    this.wakeRelay = new OutboxWakeRelay(this.database.url, drain, this.config.outboxWakeMinIntervalMs);
    await this.wakeRelay.start();
  }
}
