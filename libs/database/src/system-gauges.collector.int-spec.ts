import { randomUUID } from 'node:crypto';
import { type TestingModule } from '@nestjs/testing';
import { Client } from 'pg';
import { register } from 'prom-client';
import { DataSource } from 'typeorm';
import { seedConversation } from '@app/message/testing';
import { ownerView } from '../../../test/support/database';
import { createTenant, createTestContext } from '../../../test/support/nest';
import { parsePrometheusText } from '../../../test/support/prometheus-text';
import {
  SESSION_OVERDUE_GRACE_SECONDS,
  SYSTEM_GAUGES_CACHE_MS,
  SYSTEM_GAUGES_STATEMENT_TIMEOUT_MS,
  SystemGaugesCollector,
} from './system-gauges.collector';

/** The database gauges against a real PostgreSQL: what they count, their cache, and a database that
 *  does not answer in time (a lock held by another connection). */
describe('SystemGaugesCollector (real PostgreSQL)', () => {
  let moduleRef: TestingModule;
  let databaseUrl: string;
  let db: DataSource;
  let collector: SystemGaugesCollector;
  let tenantId: string;

  beforeAll(async () => {
    ({ moduleRef, databaseUrl } = await createTestContext([], {}, [SystemGaugesCollector]));
    // Seeds and checks as the owner: the app's role sees no tenant's rows outside forTenant/asSystem.
    db = await ownerView(moduleRef.get(DataSource));
    collector = moduleRef.get(SystemGaugesCollector);
    ({ tenantId } = await createTenant(moduleRef));
  });
  afterAll(() => moduleRef?.close());

  const scrape = async () => parsePrometheusText(await register.metrics());
  /** A snapshot newer than any cached one. */
  let clock = Date.now();
  const fresh = () => collector.snapshot((clock += SYSTEM_GAUGES_CACHE_MS));

  const insertEvent = (status: string, ageSeconds: number) =>
    db.query(
      `INSERT INTO outbox_events (id, tenant_id, aggregate_type, aggregate_id, type, payload, occurred_at, status, created_at)
       VALUES ($1, $2, 'contact', $3, 'contact.created', '{}', now(), $4, clock_timestamp() - make_interval(secs => $5))`,
      [randomUUID(), tenantId, randomUUID(), status, ageSeconds],
    );

  it('counts every tenant: pending, failed and dead events, the oldest pending age, active and overdue sessions, running imports', async () => {
    const before = (await fresh())!;
    await insertEvent('pending', 120);
    await insertEvent('pending', 5);
    await insertEvent('dead', 600);
    await insertEvent('published', 900);
    // An idle session past its deadline by more than the grace, one just past it (within the grace), one fresh.
    for (const idleSeconds of [60 + SESSION_OVERDUE_GRACE_SECONDS + 30, 60 + SESSION_OVERDUE_GRACE_SECONDS - 30, 0]) {
      const { sessionId } = await seedConversation(db, tenantId);
      await db.query(
        `UPDATE sessions SET status = 'active', timeout_seconds = 60, last_activity_at = clock_timestamp() - make_interval(secs => $2) WHERE id = $1`,
        [sessionId, idleSeconds],
      );
    }
    const after = (await fresh())!;
    expect(after).toMatchObject({
      outboxPending: before.outboxPending + 2,
      outboxDead: before.outboxDead + 1,
      outboxFailed: before.outboxFailed,
      sessionsActive: before.sessionsActive + 3,
      sessionsOverdue: before.sessionsOverdue + 1,
      importsRunning: before.importsRunning,
    });
    expect(after.outboxOldestPendingAgeSeconds).toBeGreaterThanOrEqual(120);
    expect(after.outboxOldestPendingAgeSeconds).toBeLessThan(180);

    // What /metrics serves is the same snapshot.
    const metrics = await scrape();
    expect(metrics.value('crm_outbox_pending_events')).toBe(after.outboxPending);
    expect(metrics.value('crm_sessions_overdue')).toBe(after.sessionsOverdue);
    expect(metrics.value('crm_system_gauges_up')).toBe(1);
  });

  it('asks the database once per cache period, however many scrapes come', async () => {
    const transaction = jest.spyOn(moduleRef.get(DataSource), 'transaction');
    try {
      const now = (clock += SYSTEM_GAUGES_CACHE_MS);
      const [a, b] = await Promise.all([collector.snapshot(now), collector.snapshot(now + 1)]);
      await collector.snapshot(now + SYSTEM_GAUGES_CACHE_MS - 1);
      expect(a).toBe(b);
      expect(transaction).toHaveBeenCalledTimes(1);
      await collector.snapshot(now + SYSTEM_GAUGES_CACHE_MS);
      expect(transaction).toHaveBeenCalledTimes(2);
    } finally {
      transaction.mockRestore();
    }
  });

  it('gives up after its statement timeout when the database does not answer: the scrape succeeds, the gauges keep their values and crm_system_gauges_up is 0', async () => {
    const last = (await fresh())!;
    const blocker = new Client({ connectionString: databaseUrl });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE outbox_events IN ACCESS EXCLUSIVE MODE');
      const started = Date.now();
      clock = Date.now() + SYSTEM_GAUGES_CACHE_MS * 100;
      await expect(collector.snapshot(clock)).resolves.toBeNull();
      const waited = Date.now() - started;
      expect(waited).toBeGreaterThanOrEqual(SYSTEM_GAUGES_STATEMENT_TIMEOUT_MS - 100);
      expect(waited).toBeLessThan(SYSTEM_GAUGES_STATEMENT_TIMEOUT_MS + 3_000);
      // The cached failure serves this scrape (no second wait).
      const metrics = await scrape();
      expect(metrics.value('crm_system_gauges_up')).toBe(0);
      expect(metrics.value('crm_outbox_pending_events')).toBe(last.outboxPending);
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
    }
    expect(await fresh()).not.toBeNull();
  });
});
