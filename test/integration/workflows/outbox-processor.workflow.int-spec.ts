import { randomUUID } from 'node:crypto';
import { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { Client, Connection, WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { DomainEvent, EventOutbox, UnitOfWork, newEventId } from '@app/shared';
import { OutboxPublisherRegistry } from '@app/outbox';
import { RecordingPublisher } from '@app/outbox/testing';
import {
  activitiesOf,
  DEFAULT_OUTBOX_PROCESSOR_SETTINGS,
  OutboxActivities,
  OutboxProcessorSettings,
  OutboxProcessorStats,
  outboxProcessorStateQuery,
  outboxStatsQuery,
  shutdownSignal,
  updateOutboxSettingsUpdate,
  wakeSignal,
  WorkflowsModule,
  TemporalClientModule,
  WorkflowGatewaysModule,
} from '@app/workflows';
import { createTenant, createTestContext, eventually } from '../../support/nest';
import { eventuallySeen } from '../../support/eventually-seen';
import { TestEnv } from '../../support/test-env';
import { OutboxProcessorWorkflow } from '../../../libs/workflows/src/workflows/outbox-processor.workflow';
import { ownerView } from '../../support/database';

describe('OutboxProcessorWorkflow (real Temporal dev server, real PostgreSQL)', () => {
  let moduleRef: TestingModule;
  let db: DataSource;
  let tenantId: string;
  let publisher: RecordingPublisher;
  let nativeConnection: NativeConnection;
  let connection: Connection;
  let client: Client;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = `outbox-test-${randomUUID()}`;

  const settings = (overrides: Partial<OutboxProcessorSettings> = {}): OutboxProcessorSettings => ({
    ...DEFAULT_OUTBOX_PROCESSOR_SETTINGS,
    pollIntervalMs: 60_000,
    ...overrides,
  });
  const start = (s: OutboxProcessorSettings) =>
    client.workflow.start(OutboxProcessorWorkflow, {
      taskQueue,
      workflowId: `outbox-processor-${randomUUID()}`,
      args: [{ settings: s }],
    });
  const append = async (events: DomainEvent[]) =>
    moduleRef.get(UnitOfWork).run(() => moduleRef.get(EventOutbox).append(events));
  const event = (): DomainEvent => ({
    id: newEventId(),
    type: 'contact.created',
    occurredAt: new Date(),
    tenantId,
    aggregateType: 'contact',
    aggregateId: newEventId(),
    data: {},
  });

  beforeAll(async () => {
    ({ moduleRef } = await createTestContext([TemporalClientModule, WorkflowGatewaysModule, WorkflowsModule], {
      OUTBOX_MAX_ATTEMPTS: '3',
      OUTBOX_RETRY_BASE_MS: '300',
      OUTBOX_RETRY_MAX_MS: '2000',
      TEMPORAL_ADDRESS: TestEnv.temporalAddress(),
      TEMPORAL_NAMESPACE: 'default',
    }));
    db = await ownerView(moduleRef.get(DataSource));
    publisher = new RecordingPublisher();
    moduleRef.get(OutboxPublisherRegistry).register(publisher);
    ({ tenantId } = await createTenant(moduleRef));

    nativeConnection = await NativeConnection.connect({ address: TestEnv.temporalAddress() });
    connection = await Connection.connect({ address: TestEnv.temporalAddress() });
    client = new Client({ connection });
    worker = await Worker.create({
      connection: nativeConnection,
      taskQueue,
      workflowBundle: { codePath: TestEnv.workflowBundlePath() },
      activities: activitiesOf(moduleRef.get(OutboxActivities)),
    });
    running = worker.run();
  });

  afterAll(async () => {
    worker.shutdown();
    await running;
    await nativeConnection.close();
    await connection.close();
    await moduleRef.close();
  });

  beforeEach(async () => {
    await db.query('DELETE FROM outbox_events');
    publisher.received.length = 0;
    publisher.failEverything(false);
  });

  it('publishes pending events, answers the stats query, and ends cleanly on shutdown', async () => {
    const events = [event(), event(), event()];
    await append(events);
    const handle = await start(settings());
    await publisher.waitFor(() => events.every((e) => publisher.countOf(e.id) === 1));

    const stats = await eventually(async () => {
      const s = await handle.query(outboxStatsQuery);
      return s.published >= 3 && s.outbox ? s : undefined;
    });
    expect(stats).toMatchObject({ runs: 1, published: 3, failed: 0, deadLettered: 0 });
    expect(stats.outbox).toMatchObject({ published: 3, pending: 0 });

    await handle.signal(shutdownSignal);
    const final: OutboxProcessorStats = await handle.result();
    expect(final.published).toBe(3);
    expect((await handle.describe()).status.name).toBe('COMPLETED');
  });

  it('wake cuts latency: with a one-minute poll interval an event goes out right after the signal', async () => {
    const handle = await start(settings());
    await eventually(async () => ((await handle.query(outboxStatsQuery)).iterations >= 1 ? true : undefined));
    const e = event();
    await append([e]);
    // Without a wake the workflow sleeps for a minute.
    await new Promise((r) => setTimeout(r, 500));
    expect(publisher.countOf(e.id)).toBe(0);

    const signalledAt = Date.now();
    await handle.signal(wakeSignal);
    await publisher.waitFor(() => publisher.countOf(e.id) === 1, 10_000);
    expect(publisher.received.find((r) => r.event.id === e.id)!.at).toBeGreaterThanOrEqual(signalledAt);
    expect((await handle.query(outboxStatsQuery)).wakeSignals).toBe(1);
    await handle.signal(shutdownSignal);
    await handle.result();
  });

  it('retries failed events with backoff and dead-letters them after the max attempts', async () => {
    const flaky = event();
    const hopeless = event();
    publisher.failNext(flaky.id, 1);
    publisher.failNext(hopeless.id, 100);
    await append([flaky, hopeless]);
    const handle = await start(settings({ pollIntervalMs: 100 }));

    await publisher.waitFor(() => publisher.countOf(flaky.id) === 1);
    const rows = await eventually(async () => {
      const r = await db.query(`SELECT id, status, attempts FROM outbox_events ORDER BY status`);
      return r.find((x: { id: string; status: string }) => x.id === hopeless.id && x.status === 'dead') ? r : undefined;
    });
    expect(rows).toEqual(
      expect.arrayContaining([
        { id: hopeless.id, status: 'dead', attempts: 3 },
        { id: flaky.id, status: 'published', attempts: 1 },
      ]),
    );
    const stats = await eventually(async () => {
      const s = await handle.query(outboxStatsQuery);
      return s.deadLettered === 1 ? s : undefined;
    });
    expect(stats).toMatchObject({ published: 1, retried: 1, failed: 3, deadLettered: 1 });
    expect(publisher.countOf(hopeless.id)).toBe(0);
    await handle.signal(shutdownSignal);
    await handle.result();
  });

  it('continues as new after the configured iterations, keeping its stats, and still publishes', async () => {
    const handle = await start(settings({ pollIntervalMs: 20, iterationsPerRun: 5 }));
    const firstRunId = (await handle.describe()).runId;
    await eventually(async () => ((await handle.query(outboxStatsQuery)).runs >= 2 ? true : undefined));

    const e = event();
    await append([e]);
    await publisher.waitFor(() => publisher.countOf(e.id) === 1);
    const stats = await eventually(async () => {
      const s = await handle.query(outboxStatsQuery);
      return s.published >= 1 ? s : undefined;
    });
    expect(stats.runs).toBeGreaterThanOrEqual(2);
    expect(stats.iterations).toBeGreaterThanOrEqual(5);
    expect((await handle.describe()).runId).not.toBe(firstRunId);

    await handle.signal(shutdownSignal);
    await handle.result();
  });

  it('runs cleanup on its schedule', async () => {
    const e = event();
    await append([e]);
    await db.query(`UPDATE outbox_events SET status = 'published', published_at = now() - interval '2 days'`);
    const handle = await start(settings({ pollIntervalMs: 20, cleanupEveryIterations: 2, retentionMs: 86_400_000 }));
    const stats = await eventually(async () => {
      const s = await handle.query(outboxStatsQuery);
      return s.cleanedUp >= 1 ? s : undefined;
    });
    expect(stats.cleanedUp).toBe(1);
    expect(await db.query(`SELECT id FROM outbox_events`)).toEqual([]);
    await handle.signal(shutdownSignal);
    await handle.result();
  });

  it('survives a database outage longer than its activity retries: records the failures, backs off, keeps running and drains once the database is back', async () => {
    const handle = await start(settings({ pollIntervalMs: 100 }));
    await eventually(async () => ((await handle.query(outboxStatsQuery)).iterations >= 1 ? true : undefined));
    // The database refuses every outbox query while the table is away.
    await db.query(`ALTER TABLE outbox_events RENAME TO outbox_events_away`);
    let restored = false;
    try {
      // The activities give up after their retries (~15 s); the run must not fail with them.
      const failing = await eventuallySeen(
        () => handle.query(outboxStatsQuery),
        (s) => ((s.consecutiveFailures ?? 0) >= 1 ? s : undefined),
        60_000,
        'a failed iteration in the stats',
      );
      expect(failing).toMatchObject({
        consecutiveFailures: 1,
        activityFailures: 1,
        failingSince: expect.any(String),
        lastFailureAt: expect.any(String),
      });
      expect(failing.lastError).toContain('outbox_events');
      expect((await handle.describe()).status.name).toBe('RUNNING');

      await db.query(`ALTER TABLE outbox_events_away RENAME TO outbox_events`);
      restored = true;
      const events = [event(), event()];
      await append(events);
      await publisher.waitFor(() => events.every((e) => publisher.countOf(e.id) === 1), 60_000);
      const recovered = await eventuallySeen(
        () => handle.query(outboxStatsQuery),
        (s) => (s.consecutiveFailures === 0 && s.published >= 2 ? s : undefined),
        20_000,
        'recovered stats',
      );
      expect(recovered).toMatchObject({ failingSince: null, activityFailures: expect.any(Number) });
      expect(recovered.activityFailures).toBeGreaterThanOrEqual(1);
      expect(recovered.lastError).toContain('outbox_events');
      expect((await handle.describe()).status.name).toBe('RUNNING');
    } finally {
      if (!restored) await db.query(`ALTER TABLE outbox_events_away RENAME TO outbox_events`);
    }
    await handle.signal(shutdownSignal);
    await handle.result();
  }, 120_000);

  it('takes new settings from the updateSettings update at once, rejects invalid ones naming the field, and carries them across continue-as-new', async () => {
    const handle = await start(settings({ iterationsPerRun: 1_000 }));
    await eventually(async () => ((await handle.query(outboxStatsQuery)).iterations >= 1 ? true : undefined));

    const rejected = await handle
      .executeUpdate(updateOutboxSettingsUpdate, { args: [settings({ batchSize: 0 })] })
      .catch((err: unknown) => err);
    expect(rejected).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(((rejected as WorkflowUpdateFailedError).cause as Error).message).toContain('settings.batchSize');
    expect((await handle.query(outboxProcessorStateQuery)).settings.batchSize).toBe(
      DEFAULT_OUTBOX_PROCESSOR_SETTINGS.batchSize,
    );

    // Under the start settings (one-minute poll, no wake) this event would wait a minute.
    const applied = await handle.executeUpdate(updateOutboxSettingsUpdate, {
      args: [settings({ pollIntervalMs: 50, batchSize: 7, iterationsPerRun: 3 })],
    });
    expect(applied).toMatchObject({ pollIntervalMs: 50, batchSize: 7, iterationsPerRun: 3 });
    const e = event();
    await append([e]);
    await publisher.waitFor(() => publisher.countOf(e.id) === 1, 10_000);

    const state = await eventuallySeen(
      () => handle.query(outboxProcessorStateQuery),
      (s) => (s.stats.runs >= 2 ? s : undefined),
      30_000,
      'a continue-as-new',
    );
    expect(state.settings).toMatchObject({ pollIntervalMs: 50, batchSize: 7, iterationsPerRun: 3 });
    await handle.signal(shutdownSignal);
    await handle.result();
  });

  it('rejects invalid settings with a non-retryable ValidationError naming the field', async () => {
    const handle = await start(settings({ batchSize: 0 }));
    const failure = await handle.result().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const cause = (failure as WorkflowFailedError).cause as { type?: string; message: string; nonRetryable?: boolean };
    expect(cause).toMatchObject({ type: 'ValidationError', nonRetryable: true });
    expect(cause.message).toContain('settings.batchSize');
  });
});
