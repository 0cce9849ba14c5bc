import { randomUUID } from 'node:crypto';
import { ConfigModule } from '@nestjs/config';
import { Test, TestingModule } from '@nestjs/testing';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { DatabaseModule } from '@app/database';
import { DomainEvent, EventOutbox, SecretsModule, UnitOfWork, newEventId } from '@app/shared';
import { OutboxModule, OutboxPublisherRegistry } from '@app/outbox';
import { RecordingPublisher } from '@app/outbox/testing';
import { TenantModule } from '@app/tenant';
import {
  activitiesOf,
  DEFAULT_OUTBOX_PROCESSOR_SETTINGS,
  OutboxActivities,
  outboxStatsQuery,
  shutdownSignal,
  TemporalClientModule,
  wakeSignal,
  WorkflowGatewaysModule,
  WorkflowsModule,
} from '@app/workflows';
import { runMigrations } from '../../../libs/database/src/run-migrations';
import { OutboxProcessorWorkflow } from '../../../libs/workflows/src/workflows/outbox-processor.workflow';
import { createTenant, eventually } from '../../support/nest';
import { eventuallySeen } from '../../support/eventually-seen';
import { OwnedPostgres } from '../../support/owned-postgres';
import { TestEnv } from '../../support/test-env';

/** The measured failure: a Postgres outage longer than the activities' retries (~15 s) used to fail
 *  the processor for good, leaving events pending until a worker restart. Here the server is really
 *  stopped (connections refused), not faked. */
describe('OutboxProcessorWorkflow through a real PostgreSQL outage (owned server, real Temporal dev server)', () => {
  let pg: OwnedPostgres;
  let moduleRef: TestingModule;
  let publisher: RecordingPublisher;
  let tenantId: string;
  let nativeConnection: NativeConnection;
  let connection: Connection;
  let client: Client;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = `outbox-outage-${randomUUID()}`;

  beforeAll(async () => {
    pg = await OwnedPostgres.create();
    const url = await pg.createDatabase('outbox_outage');
    await runMigrations(url);
    Object.assign(process.env, {
      DATABASE_URL: url,
      DATABASE_POOL_SIZE: '5',
      TEMPORAL_ADDRESS: TestEnv.temporalAddress(),
      TEMPORAL_NAMESPACE: 'default',
    });
    moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true }),
        SecretsModule,
        DatabaseModule,
        OutboxModule,
        TenantModule,
        TemporalClientModule,
        WorkflowGatewaysModule,
        WorkflowsModule,
      ],
    }).compile();
    await moduleRef.init();
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
  }, 120_000);

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await nativeConnection?.close();
    await connection?.close();
    if (pg && !pg.isRunning) await pg.start();
    await moduleRef?.close();
    await pg?.destroy();
  });

  const event = (): DomainEvent => ({
    id: newEventId(),
    type: 'contact.created',
    occurredAt: new Date(),
    tenantId,
    aggregateType: 'contact',
    aggregateId: newEventId(),
    data: {},
  });

  it('keeps running while the database is down, and drains the events left pending once it is back', async () => {
    // A one-minute sweep: only the wake below and the failure backoff make it iterate.
    const handle = await client.workflow.start(OutboxProcessorWorkflow, {
      taskQueue,
      workflowId: `outbox-processor-outage-${randomUUID()}`,
      args: [{ settings: { ...DEFAULT_OUTBOX_PROCESSOR_SETTINGS, pollIntervalMs: 60_000 } }],
    });
    await eventually(
      async () => ((await handle.query(outboxStatsQuery)).iterations >= 1 ? true : undefined),
      20_000,
      'a first iteration',
    );
    const events = Array.from({ length: 20 }, event);
    await moduleRef.get(UnitOfWork).run(() => moduleRef.get(EventOutbox).append(events));

    await pg.stop();
    await handle.signal(wakeSignal);
    const failing = await eventuallySeen(
      () => handle.query(outboxStatsQuery),
      (s) => ((s.consecutiveFailures ?? 0) >= 1 ? s : undefined),
      60_000,
      'a failed iteration during the outage',
    );
    expect(failing.failingSince).toEqual(expect.any(String));
    // Whichever of the iteration's activities met the outage first (an iteration under way when the
    // server stopped may fail at its metrics step), named with its cause.
    expect(failing.lastError).toEqual(
      expect.stringMatching(
        /^(processPendingEvents|processFailedEvents|cleanupOldEvents|getOutboxMetrics): .*(ECONNREFUSED|terminat)/i,
      ),
    );
    expect((await handle.describe()).status.name).toBe('RUNNING');
    expect(publisher.received).toHaveLength(0);

    await pg.start();
    await publisher
      .waitFor(() => events.every((e) => publisher.countOf(e.id) === 1), 60_000)
      .catch(async (err: Error) => {
        throw new Error(
          `${err.message}; published ${publisher.received.length}/20; stats ${JSON.stringify(await handle.query(outboxStatsQuery))}`,
        );
      });
    const recovered = await eventuallySeen(
      () => handle.query(outboxStatsQuery),
      (s) => (s.consecutiveFailures === 0 && s.published >= 20 ? s : undefined),
      20_000,
      'recovered stats',
    );
    expect(recovered).toMatchObject({ failingSince: null, published: 20 });
    expect((await handle.describe()).status.name).toBe('RUNNING');

    await handle.signal(shutdownSignal);
    await handle.result();
  }, 180_000);
});
