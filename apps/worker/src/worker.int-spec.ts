import { randomUUID } from 'node:crypto';
import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { Connection } from '@temporalio/client';
import { EventOutbox, UnitOfWork, newEventId } from '@app/shared';
import { OutboxPublisherRegistry } from '@app/outbox';
import { RecordingPublisher } from '@app/outbox/testing';
import { TenantService } from '@app/tenant';
import { TenantModule } from '@app/tenant';
import {
  outboxProcessorStateQuery,
  TemporalClientProvider,
  updateOutboxSettingsUpdate,
  wakeSignal,
} from '@app/workflows';
import { createTestDatabase, ownerView } from '../../../test/support/database';
import { eventually } from '../../../test/support/nest';
import { eventuallySeen } from '../../../test/support/eventually-seen';
import { TestEnv } from '../../../test/support/test-env';
import { TemporalWorkerHost } from './temporal-worker.host';
import { WorkerHealthServer } from './worker-health.server';
import { WorkerModule } from './worker.module';
import { parseTaskQueues, workerConfig, WorkerConfig } from './worker.config';
import { OutboxProcessorSupervisor } from './outbox-processor.supervisor';

describe('worker app (real Temporal dev server, real PostgreSQL)', () => {
  const namespace = `crm-worker-test-${randomUUID().slice(0, 8)}`;
  let app: INestApplicationContext;
  let host: TemporalWorkerHost;
  let publisher: RecordingPublisher;

  beforeAll(async () => {
    Object.assign(process.env, {
      DATABASE_URL: await createTestDatabase(),
      TEMPORAL_ADDRESS: TestEnv.temporalAddress(),
      TEMPORAL_NAMESPACE: namespace,
      TEMPORAL_NAMESPACE_RETENTION_DAYS: '1',
      WORKER_TASK_QUEUES: 'outbox,sessions',
      WORKER_HEALTH_PORT: '0',
      WORKFLOW_BUNDLE_PATH: TestEnv.workflowBundlePath(),
      // A long sweep: anything delivered fast in this test came through NOTIFY -> wake.
      OUTBOX_POLL_INTERVAL_MS: '60000',
      // Checks every second, and readiness fails after a second of failing iterations.
      OUTBOX_PROCESSOR_ENSURE_INTERVAL_MS: '1000',
      OUTBOX_PROCESSOR_UNHEALTHY_AFTER_MS: '1000',
      LOG_LEVEL: 'warn',
    });
    const moduleRef = await Test.createTestingModule({ imports: [WorkerModule, TenantModule] }).compile();
    app = moduleRef;
    publisher = new RecordingPublisher();
    app.get(OutboxPublisherRegistry).register(publisher);
    await moduleRef.init();
    host = app.get(TemporalWorkerHost);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('registers its namespace on a cluster that lacks it', async () => {
    const connection = await Connection.connect({ address: TestEnv.temporalAddress() });
    try {
      const described = await connection.workflowService.describeNamespace({ namespace });
      expect(described.namespaceInfo?.name).toBe(namespace);
      expect(Number(described.config?.workflowExecutionRetentionTtl?.seconds)).toBe(86_400);
    } finally {
      await connection.close();
    }
  });

  it('starts the outbox processor once, and a committed event leaves within moments through NOTIFY and an in-process drain (the sweep is 60 s away)', async () => {
    const client = app.get(TemporalClientProvider).client;
    const handle = client.workflow.getHandle(host.outboxProcessorWorkflowId);
    expect((await handle.describe()).status.name).toBe('RUNNING');

    const { tenant } = await app.get(TenantService).createTenant('Acme');
    const eventId = newEventId();
    await app.get(UnitOfWork).run(() =>
      app.get(EventOutbox).append([
        {
          id: eventId,
          type: 'contact.created',
          occurredAt: new Date(),
          tenantId: tenant.id,
          aggregateType: 'contact',
          aggregateId: newEventId(),
          data: {},
        },
      ]),
    );
    await publisher.waitFor(() => publisher.countOf(eventId) === 1, 15_000);
    const metrics = await (await fetch(`http://127.0.0.1:${app.get(WorkerHealthServer).port}/metrics`)).text();
    expect(Number(/^crm_outbox_notify_drains_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
    const db = await ownerView(app.get(DataSource));
    const row = await db.query(`SELECT status FROM outbox_events WHERE id = $1`, [eventId]);
    await eventually(async () =>
      (await db.query(`SELECT status FROM outbox_events WHERE id = $1`, [eventId]))[0].status === 'published'
        ? true
        : undefined,
    );
    expect(row).toHaveLength(1);
  });

  it('serves probes and metrics on its health port', async () => {
    const port = app.get(WorkerHealthServer).port;
    const live = await fetch(`http://127.0.0.1:${port}/health/live`);
    expect(live.status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ok',
      workers: 'running',
      database: 'up',
      outboxProcessor: expect.objectContaining({
        ready: true,
        running: true,
        status: 'RUNNING',
        stats: expect.objectContaining({ consecutiveFailures: 0, failingSince: null }),
      }),
    });
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain('crm_outbox_notify_drains_total');
    expect(metrics).toContain('crm_outbox_processor_restarts_total 0');
    expect(metrics).toContain('crm_outbox_processor_consecutive_failures 0');
  });

  it('starts the processor again within an ensure interval when it was terminated', async () => {
    const client = app.get(TemporalClientProvider).client;
    const handle = client.workflow.getHandle(host.outboxProcessorWorkflowId);
    const terminatedRunId = (await handle.describe()).runId;
    await handle.terminate('test: the processor is gone');

    // The supervisor's check that found it terminated has started a new run.
    const observed = await eventuallySeen(
      async () => host.outboxProcessor!.observation,
      (o) => (o && o.running && o.runId !== terminatedRunId && o.restarts >= 1 ? o : undefined),
      20_000,
      'a restart by the ensure loop',
    );
    const restarted = await handle.describe();
    expect(restarted).toMatchObject({ runId: observed.runId, status: { name: 'RUNNING' } });
    expect(
      (await client.workflow.getHandle(host.outboxProcessorWorkflowId, terminatedRunId).describe()).status.name,
    ).toBe('TERMINATED');
    // The new run works: it answers its state with this worker's settings.
    const state = await handle.query(outboxProcessorStateQuery);
    expect(state.settings.pollIntervalMs).toBe(60_000);
  });

  it('leaves exactly one processor when two workers ensure it at the same moment', async () => {
    const client = app.get(TemporalClientProvider).client;
    const config = app.get<WorkerConfig>(workerConfig.KEY);
    const other = new OutboxProcessorSupervisor(
      client,
      host.outboxProcessorWorkflowId,
      config.outboxProcessor,
      config.outboxProcessorSupervision,
    );
    const handle = client.workflow.getHandle(host.outboxProcessorWorkflowId);
    await handle.terminate('test: both workers see it gone');

    const [mine, theirs] = await Promise.all([host.outboxProcessor!.ensure(), other.ensure()]);
    expect(mine).toMatchObject({ running: true, status: 'RUNNING' });
    expect(theirs).toMatchObject({ running: true, status: 'RUNNING' });
    expect(theirs.runId).toBe(mine.runId);
    const running = await eventuallySeen(
      async () => {
        const runs: string[] = [];
        for await (const wf of client.workflow.list({
          query: `WorkflowId = '${host.outboxProcessorWorkflowId}' AND ExecutionStatus = 'Running'`,
        }))
          runs.push(wf.runId);
        return runs;
      },
      (runs) => (runs.length > 0 ? runs : undefined),
      20_000,
      'the running processor in visibility',
    );
    expect(running).toEqual([mine.runId]);
  });

  it("brings a processor running on other settings to this worker's OUTBOX_* settings", async () => {
    const handle = app.get(TemporalClientProvider).client.workflow.getHandle(host.outboxProcessorWorkflowId);
    const current = (await handle.query(outboxProcessorStateQuery)).settings;
    // As an older worker with another configuration would have left it.
    expect(
      await handle.executeUpdate(updateOutboxSettingsUpdate, {
        args: [{ ...current, batchSize: 3, pollIntervalMs: 500 }],
      }),
    ).toMatchObject({ batchSize: 3, pollIntervalMs: 500 });

    const settings = await eventuallySeen(
      async () => (await handle.query(outboxProcessorStateQuery)).settings,
      (s) => (s.batchSize === 100 && s.pollIntervalMs === 60_000 ? s : undefined),
      20_000,
      "this worker's settings on the processor",
    );
    expect(settings).toMatchObject(app.get<WorkerConfig>(workerConfig.KEY).outboxProcessor);
  });

  it('is not ready, with the reason, while the processor keeps failing, stays live, and is ready again once it recovers', async () => {
    const port = app.get(WorkerHealthServer).port;
    const db = await ownerView(app.get(DataSource));
    const probe = async (path: string) => {
      const res = await fetch(`http://127.0.0.1:${port}${path}`);
      return {
        status: res.status,
        body: (await res.json()) as {
          reasons?: string[];
          outboxProcessor?: { ready: boolean; stats: { failingSince: string | null } };
        },
      };
    };
    await db.query(`ALTER TABLE outbox_events RENAME TO outbox_events_away`);
    let restored = false;
    try {
      // An iteration now (the sweep sleeps a minute here); its activities give up after ~15 s, and
      // readiness fails a second after that.
      await app
        .get(TemporalClientProvider)
        .client.workflow.getHandle(host.outboxProcessorWorkflowId)
        .signal(wakeSignal);
      const notReady = await eventuallySeen(
        () => probe('/health/ready'),
        (r) => (r.status === 503 ? r : undefined),
        60_000,
        'readiness 503',
      );
      expect(notReady.body.outboxProcessor).toMatchObject({
        ready: false,
        stats: { failingSince: expect.any(String) },
      });
      expect(notReady.body.reasons).toEqual([expect.stringMatching(/^outbox processor failing since .*outbox_events/)]);
      expect((await probe('/health/live')).status).toBe(200);

      await db.query(`ALTER TABLE outbox_events_away RENAME TO outbox_events`);
      restored = true;
      const ready = await eventuallySeen(
        () => probe('/health/ready'),
        (r) => (r.status === 200 ? r : undefined),
        60_000,
        'readiness 200 again',
      );
      expect(ready.body.outboxProcessor).toMatchObject({
        ready: true,
        stats: { consecutiveFailures: 0, failingSince: null },
      });
    } finally {
      if (!restored) await db.query(`ALTER TABLE outbox_events_away RENAME TO outbox_events`);
    }
  }, 120_000);

  it('drains its workers on shutdown and reports it', async () => {
    await app.close();
    expect(host.state).toBe('stopped');
    await expect(host.done).resolves.toBeUndefined();
  });
});

describe('WORKER_TASK_QUEUES', () => {
  it('defaults to every queue and rejects unknown names, naming the variable', () => {
    expect(parseTaskQueues(undefined)).toEqual([
      'inbound',
      'sessions',
      'outbox',
      'webhooks',
      'history-import',
      'automation',
    ]);
    expect(parseTaskQueues(' outbox , webhooks,outbox')).toEqual(['outbox', 'webhooks']);
    expect(() => parseTaskQueues('outbox,mail')).toThrow(/WORKER_TASK_QUEUES: unknown queue\(s\) mail/);
  });
});
