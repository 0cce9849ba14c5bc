import { Inject, Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { NativeConnection, Worker, WorkerOptions } from '@temporalio/worker';
import { WorkflowIdConflictPolicy } from '@temporalio/client';
import { databaseConfig, DatabaseConfig } from '@app/database';
import {
  activitiesOf,
  connectionOptions,
  OUTBOX_PROCESSOR_WORKFLOW_ID,
  OutboxActivities,
  TaskQueue,
  TaskQueues,
  TemporalClientProvider,
} from '@app/workflows';
import { workerConfig, WorkerConfig } from './worker.config';
import { ensureNamespace } from './namespace';
import { OutboxWakeRelay } from './outbox-wake.relay';
import { resolveWorkflowCode } from './workflow-code';

export type WorkerHostState = 'starting' | 'running' | 'draining' | 'stopped' | 'failed';

/** Owns the Temporal workers of this process: one per selected task queue, created once DI is
 *  ready, `run()` awaited, drained by `shutdown()` when Nest shuts down (SIGTERM). A worker that
 *  fails makes `done` reject, and main exits non-zero so the supervisor restarts the pod. */
@Injectable()
export class TemporalWorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(TemporalWorkerHost.name);
  private readonly workers: Worker[] = [];
  private nativeConnection?: NativeConnection;
  private wakeRelay?: OutboxWakeRelay;
  private runs: Promise<void>[] = [];
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

  async onApplicationBootstrap(): Promise<void> {
    const { namespace, namespaceRetentionDays, ensureNamespace: ensure } = this.temporal.config;
    if (ensure) await ensureNamespace(this.temporal.connection, namespace, namespaceRetentionDays, this.logger);

    this.nativeConnection = await NativeConnection.connect(connectionOptions(this.temporal.config));
    const workflowCode = await resolveWorkflowCode(this.config.workflowBundlePath);
    for (const taskQueue of this.config.taskQueues) {
      const options: WorkerOptions = {
        connection: this.nativeConnection,
        namespace,
        taskQueue,
        ...workflowCode,
        activities: activitiesOf(...this.activitiesFor(taskQueue)),
        shutdownGraceTime: '30 seconds',
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
      if (results.every((r) => r.status === 'fulfilled')) {
        this.state = 'stopped';
        this.resolveDone();
      }
    });
    this.state = 'running';
    this.logger.log(`Temporal workers running on ${this.config.taskQueues.join(', ')} (namespace ${namespace})`);

    if (this.config.taskQueues.includes(TaskQueues.outbox)) await this.startOutboxProcessor();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'draining';
    await this.wakeRelay?.stop();
    this.logger.log('draining Temporal workers');
    for (const worker of this.workers) {
      if (worker.getState() === 'RUNNING') worker.shutdown();
    }
    await Promise.allSettled(this.runs);
    await this.nativeConnection?.close();
  }

  private activitiesFor(taskQueue: TaskQueue): object[] {
    switch (taskQueue) {
      case TaskQueues.outbox:
        return [this.moduleRef.get(OutboxActivities, { strict: false })];
      default:
        return [];
    }
  }

  /** Starts the singleton processor (an existing run is kept) and relays NOTIFYs to it as wakes. */
  private async startOutboxProcessor(): Promise<void> {
    const workflowId = this.outboxProcessorWorkflowId;
    await this.temporal.client.workflow.start('OutboxProcessorWorkflow', {
      workflowId,
      taskQueue: TaskQueues.outbox,
      args: [{ settings: this.config.outboxProcessor }],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    });
    if (!this.config.outboxWakeOnNotify) return;
    this.wakeRelay = new OutboxWakeRelay(this.database.url, () => this.temporal.client.workflow.getHandle(workflowId));
    await this.wakeRelay.start();
  }
}
