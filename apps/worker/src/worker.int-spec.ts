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
import { outboxStatsQuery, TemporalClientProvider } from '@app/workflows';
import { createTestDatabase } from '../../../test/support/database';
import { eventually } from '../../../test/support/nest';
import { TestEnv } from '../../../test/support/test-env';
import { TemporalWorkerHost } from './temporal-worker.host';
import { WorkerHealthServer } from './worker-health.server';
import { WorkerModule } from './worker.module';
import { parseTaskQueues } from './worker.config';

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

  it('starts the outbox processor once and relays a committed event within moments through NOTIFY + wake', async () => {
    const client = app.get(TemporalClientProvider).client;
    const handle = client.workflow.getHandle(host.outboxProcessorWorkflowId);
    expect((await handle.describe()).status.name).toBe('RUNNING');

    const { tenant } = await app.get(TenantService).createTenant('Acme');
    const eventId = newEventId();
    await app.get(UnitOfWork).run(() =>
      app.get(EventOutbox).append([
        { id: eventId, type: 'contact.created', occurredAt: new Date(), tenantId: tenant.id, aggregateType: 'contact', aggregateId: newEventId(), data: {} },
      ]),
    );
    await publisher.waitFor(() => publisher.countOf(eventId) === 1, 15_000);
    const stats = await handle.query(outboxStatsQuery);
    expect(stats.wakeSignals).toBeGreaterThanOrEqual(1);
    const row = await app.get(DataSource).query(`SELECT status FROM outbox_events WHERE id = $1`, [eventId]);
    await eventually(async () => ((await app.get(DataSource).query(`SELECT status FROM outbox_events WHERE id = $1`, [eventId]))[0].status === 'published' ? true : undefined));
    expect(row).toHaveLength(1);
  });

  it('serves probes and metrics on its health port', async () => {
    const port = app.get(WorkerHealthServer).port;
    const live = await fetch(`http://127.0.0.1:${port}/health/live`);
    expect(live.status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', workers: 'running', database: 'up' });
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain('crm_outbox_wake_signals_total');
  });

  it('drains its workers on shutdown and reports it', async () => {
    await app.close();
    expect(host.state).toBe('stopped');
    await expect(host.done).resolves.toBeUndefined();
  });
});

describe('WORKER_TASK_QUEUES', () => {
  it('defaults to every queue and rejects unknown names, naming the variable', () => {
    expect(parseTaskQueues(undefined)).toEqual(['inbound', 'sessions', 'outbox', 'webhooks', 'history-import', 'automation']);
    expect(parseTaskQueues(' outbox , webhooks,outbox')).toEqual(['outbox', 'webhooks']);
    expect(() => parseTaskQueues('outbox,mail')).toThrow(/WORKER_TASK_QUEUES: unknown queue\(s\) mail/);
  });
});
