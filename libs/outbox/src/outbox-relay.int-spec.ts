import { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { Client } from 'pg';
import { DomainEvent, EventOutbox, UnitOfWork, newEventId } from '@app/shared';
import { OutboxAdminService, OutboxPublisherRegistry, OutboxRelayService } from '@app/outbox';
import { RecordingPublisher } from '@app/outbox/testing';
import { OutboxRepository } from './application/outbox.repository.port';
import { createTenant, createTestContext, eventually } from '../../../test/support/nest';
import { ownerView } from '../../../test/support/database';

function event(tenantId: string, type = 'contact.created'): DomainEvent {
  return {
    id: newEventId(),
    type,
    occurredAt: new Date(),
    tenantId,
    aggregateType: 'contact',
    aggregateId: newEventId(),
    data: { n: 1 },
  };
}

const PUBLISH_WAIT_MS = 150;
const MAX_DETACHED = 3;

describe('outbox relay (real PostgreSQL)', () => {
  let moduleRef: TestingModule;
  let databaseUrl: string;
  let relay: OutboxRelayService;
  let publisher: RecordingPublisher;
  let db: DataSource;
  let tenantId: string;

  const append = async (events: DomainEvent[]) => {
    await moduleRef.get(UnitOfWork).run(() => moduleRef.get(EventOutbox).append(events));
  };
  const statusOf = async (id: string) =>
    (await db.query(`SELECT status, attempts, next_attempt_at, last_error FROM outbox_events WHERE id = $1`, [id]))[0];

  beforeAll(async () => {
    ({ moduleRef, databaseUrl } = await createTestContext([], {
      OUTBOX_MAX_ATTEMPTS: '3',
      OUTBOX_RETRY_BASE_MS: '200',
      OUTBOX_RETRY_MAX_MS: '1000',
      OUTBOX_PUBLISH_WAIT_MS: String(PUBLISH_WAIT_MS),
      OUTBOX_MAX_DETACHED_PUBLISHES: String(MAX_DETACHED),
    }));
    relay = moduleRef.get(OutboxRelayService);
    db = await ownerView(moduleRef.get(DataSource));
    publisher = new RecordingPublisher();
    moduleRef.get(OutboxPublisherRegistry).register(publisher);
    ({ tenantId } = await createTenant(moduleRef));
  });
  afterAll(() => moduleRef.close());
  beforeEach(async () => {
    publisher.openGates();
    await relay.drainDetached(10_000);
    await db.query('DELETE FROM outbox_events');
    publisher.received.length = 0;
    publisher.failEverything(false);
  });

  it('publishes pending events once, as the envelope, and marks them published', async () => {
    const events = [event(tenantId), event(tenantId, 'contact.updated')];
    await append(events);
    const result = await relay.processPending(10);
    expect(result).toEqual({ claimed: 2, published: 2, failed: 0, dead: 0, detached: 0 });
    expect(publisher.received.map((r) => r.event.id).sort()).toEqual(events.map((e) => e.id).sort());
    const first = publisher.received.find((r) => r.event.id === events[0].id)!.event;
    expect(first).toEqual({
      id: events[0].id,
      type: 'contact.created',
      occurredAt: events[0].occurredAt.toISOString(),
      tenantId,
      aggregateType: 'contact',
      aggregateId: events[0].aggregateId,
      correlationId: null,
      data: { n: 1 },
    });
    expect((await statusOf(events[0].id)).status).toBe('published');
    expect(await relay.processPending(10)).toEqual({ claimed: 0, published: 0, failed: 0, dead: 0, detached: 0 });
  });

  it('retries a failing publish with exponential backoff and dead-letters it after the max attempts', async () => {
    const e = event(tenantId);
    await append([e]);
    publisher.failEverything();

    expect(await relay.processPending(10)).toMatchObject({ claimed: 1, failed: 1 });
    const afterFirst = await statusOf(e.id);
    expect(afterFirst).toMatchObject({
      status: 'failed',
      attempts: 1,
      last_error: expect.stringContaining('receiver rejected'),
    });
    // Not due yet: the backoff (200 ms) has not elapsed.
    expect((await relay.processFailed(10)).claimed).toBe(0);

    await new Promise((r) => setTimeout(r, 250));
    expect(await relay.processFailed(10)).toMatchObject({ claimed: 1, failed: 1 });
    const afterSecond = await statusOf(e.id);
    expect(afterSecond.attempts).toBe(2);
    // The second delay is twice the first.
    expect(afterSecond.next_attempt_at.getTime() - Date.now()).toBeGreaterThan(250);

    await new Promise((r) => setTimeout(r, 450));
    expect(await relay.processFailed(10)).toMatchObject({ claimed: 1, dead: 1 });
    expect(await statusOf(e.id)).toMatchObject({ status: 'dead', attempts: 3 });
    expect(publisher.countOf(e.id)).toBe(0);

    // An operator retries the dead letter once the receiver is fixed.
    publisher.failEverything(false);
    const requeued = await moduleRef.get(OutboxAdminService).retry(tenantId, e.id);
    expect(requeued).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await relay.processPending(10)).toMatchObject({ published: 1 });
    expect(publisher.countOf(e.id)).toBe(1);
  });

  it('never publishes an event twice when two relays claim at the same time', async () => {
    const events = Array.from({ length: 300 }, () => event(tenantId));
    for (let i = 0; i < events.length; i += 100) await append(events.slice(i, i + 100));
    const { moduleRef: second } = await (async () => {
      // A second relay in its own Nest context and connection pool, on the same database.
      const { Test } = await import('@nestjs/testing');
      const { ConfigModule } = await import('@nestjs/config');
      const { DatabaseModule } = await import('@app/database');
      const { OutboxModule } = await import('@app/outbox');
      process.env.DATABASE_URL = databaseUrl;
      const ref = await Test.createTestingModule({
        imports: [ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true }), DatabaseModule, OutboxModule],
      }).compile();
      await ref.init();
      return { moduleRef: ref };
    })();
    second.get(OutboxPublisherRegistry).register(publisher);
    const otherRelay = second.get(OutboxRelayService);
    try {
      const drain = async (r: OutboxRelayService) => {
        let total = 0;
        for (;;) {
          const { claimed } = await r.processPending(7);
          if (claimed === 0) return total;
          total += claimed;
        }
      };
      const [a, b] = await Promise.all([drain(relay), drain(otherRelay)]);
      expect(a + b).toBe(300);
      expect(a).toBeGreaterThan(0);
      expect(b).toBeGreaterThan(0);
      const ids = publisher.received.map((r) => r.event.id);
      expect(ids).toHaveLength(300);
      expect(new Set(ids).size).toBe(300);
    } finally {
      await second.close();
    }
  });

  it('does not wait for a slow publish: the batch returns after OUTBOX_PUBLISH_WAIT_MS, the slow event stays claimed and records its outcome when it settles', async () => {
    const [fast, slow, slowFailing] = [event(tenantId), event(tenantId), event(tenantId)];
    await append([fast, slow, slowFailing]);
    const openSlow = publisher.gate(slow.id);
    const openSlowFailing = publisher.gate(slowFailing.id);

    expect(await relay.processPending(10)).toEqual({ claimed: 3, published: 1, failed: 0, dead: 0, detached: 2 });
    expect(await statusOf(fast.id)).toMatchObject({ status: 'published' });
    // Still under this claim: another batch (with room for it) does not hand them out again.
    expect(await relay.processPending(1)).toMatchObject({ claimed: 0 });
    expect((await statusOf(slow.id)).status).toBe('pending');

    openSlow();
    openSlowFailing(true);
    await eventually(
      async () => ((await statusOf(slow.id)).status === 'published' ? true : undefined),
      10_000,
      'the detached publish recorded',
    );
    expect(await statusOf(slowFailing.id)).toMatchObject({
      status: 'failed',
      attempts: 1,
      last_error: expect.stringContaining('answered contact.created late'),
    });
    expect(publisher.countOf(slow.id)).toBe(1);
  });

  it('bounds the detached publishes: a batch that would pass OUTBOX_MAX_DETACHED_PUBLISHES waits for room before it claims', async () => {
    const slow = [event(tenantId), event(tenantId), event(tenantId)];
    await append(slow);
    const opens = slow.map((e) => publisher.gate(e.id));
    expect(await relay.processPending(MAX_DETACHED)).toMatchObject({ claimed: MAX_DETACHED, detached: MAX_DETACHED });

    const next = event(tenantId);
    await append([next]);
    let claimedNext = false;
    const second = relay.processPending(1).then((r) => {
      claimedNext = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, PUBLISH_WAIT_MS * 3));
    expect(claimedNext).toBe(false);
    expect((await statusOf(next.id)).status).toBe('pending');
    expect(publisher.countOf(next.id)).toBe(0);

    opens.forEach((open) => open());
    expect(await second).toEqual({ claimed: 1, published: 1, failed: 0, dead: 0, detached: 0 });
    await relay.drainDetached(10_000);
    for (const e of slow) expect((await statusOf(e.id)).status).toBe('published');
  });

  it('does not hand out an event whose claim lease is still held', async () => {
    const e = event(tenantId);
    await append([e]);
    await db.query(`UPDATE outbox_events SET locked_until = now() + interval '1 minute' WHERE id = $1`, [e.id]);
    expect((await relay.processPending(10)).claimed).toBe(0);
    // A relay that died mid-publish frees the event when its lease runs out.
    await db.query(`UPDATE outbox_events SET locked_until = now() - interval '1 second' WHERE id = $1`, [e.id]);
    expect((await relay.processPending(10)).published).toBe(1);
  });

  it('records an outcome only for the claim that holds the event: a relay whose lease ran out cannot overwrite the next claim', async () => {
    const repository = moduleRef.get(OutboxRepository);
    const e = event(tenantId);
    await append([e]);
    const failure = (attempts: number, error: string) => ({
      status: 'failed' as const,
      attempts,
      nextAttemptAt: new Date(Date.now() + 60_000),
      error,
    });

    const slow = await repository.claimDue('pending', 10, 1);
    expect(slow.events.map((x) => x.envelope.id)).toEqual([e.id]);
    await eventually(
      async () =>
        (await db.query(`SELECT locked_until < now() AS expired FROM outbox_events WHERE id = $1`, [e.id]))[0].expired
          ? true
          : undefined,
      5_000,
      'lease expiry',
    );
    const next = await repository.claimDue('pending', 10, 60_000);
    expect(next.events.map((x) => x.envelope.id)).toEqual([e.id]);
    expect(next.token).not.toBe(slow.token);

    // The first relay comes back late, with either outcome: neither lands.
    expect(await repository.markPublished([e.id], new Date(), slow.token)).toBe(0);
    expect(await repository.markFailed(e.id, slow.token, failure(1, 'late relay'))).toBe(false);
    expect(await statusOf(e.id)).toMatchObject({ status: 'pending', attempts: 0, last_error: null });

    expect(await repository.markFailed(e.id, next.token, failure(1, 'current relay'))).toBe(true);
    expect(await repository.markPublished([e.id], new Date(), slow.token)).toBe(0);
    expect(await statusOf(e.id)).toMatchObject({ status: 'failed', attempts: 1, last_error: 'current relay' });
    // A recorded outcome frees the event; its claim token cannot record a second one.
    expect(await repository.markPublished([e.id], new Date(), next.token)).toBe(0);
  });

  it('keeps old published events that held, pending or retrying webhook deliveries still read', async () => {
    const events = ['held', 'pending', 'failed', 'dead', 'delivered', null].map((deliveryStatus) => ({
      deliveryStatus,
      event: event(tenantId),
    }));
    await append(events.map((x) => x.event));
    await relay.processPending(10);
    await db.query(`UPDATE outbox_events SET published_at = now() - interval '2 hours'`);
    const subscriptionId = newEventId();
    await db.query(
      `INSERT INTO webhook_subscriptions (id, tenant_id, url, event_types, secret_enc, max_attempts, created_at, updated_at)
       VALUES ($1, $2, 'https://example.com/hook', '{*}', 'enc', 5, now(), now())`,
      [subscriptionId, tenantId],
    );
    for (const { deliveryStatus, event: e } of events) {
      if (!deliveryStatus) continue;
      await db.query(
        `INSERT INTO webhook_deliveries (id, tenant_id, subscription_id, event_id, event_type, status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, now(), now())`,
        [newEventId(), tenantId, subscriptionId, e.id, e.type, deliveryStatus],
      );
    }

    expect(await relay.cleanup(2, 3_600_000)).toEqual({ deleted: 3 });
    const left = (await db.query(`SELECT id FROM outbox_events`)).map((r: { id: string }) => r.id).sort();
    const byStatus = (...statuses: string[]) =>
      events
        .filter((x) => statuses.includes(x.deliveryStatus as string))
        .map((x) => x.event.id)
        .sort();
    expect(left).toEqual(byStatus('held', 'pending', 'failed'));
  });

  it('cleans up published events older than the retention and keeps the rest', async () => {
    const [old, recent, pending] = [event(tenantId), event(tenantId), event(tenantId)];
    await append([old, recent]);
    await relay.processPending(10);
    await append([pending]);
    await db.query(`UPDATE outbox_events SET published_at = now() - interval '2 hours' WHERE id = $1`, [old.id]);
    expect(await relay.cleanup(1, 3_600_000)).toEqual({ deleted: 1 });
    const left = (await db.query(`SELECT id FROM outbox_events`)).map((r: { id: string }) => r.id).sort();
    expect(left).toEqual([recent.id, pending.id].sort());
  });

  it('reports counts per status and the age of the oldest pending event, per tenant', async () => {
    const other = await createTenant(moduleRef, 'Other');
    await append([event(tenantId), event(tenantId)]);
    await relay.processPending(1);
    await new Promise((r) => setTimeout(r, 30));
    await append([event(other.tenantId)]);
    const mine = await moduleRef.get(OutboxAdminService).stats(tenantId);
    expect(mine).toMatchObject({ pending: 1, published: 1, failed: 0, dead: 0 });
    expect(mine.oldestPendingAgeMs).toBeGreaterThanOrEqual(25);
    expect(await relay.metrics()).toMatchObject({ pending: 2, published: 1 });
  });

  it('writes events atomically with the unit of work: a failure after writing leaves no event', async () => {
    const e = event(tenantId);
    await expect(
      moduleRef.get(UnitOfWork).run(async () => {
        await moduleRef.get(EventOutbox).append([e]);
        throw new Error('use case failed after writing');
      }),
    ).rejects.toThrow('use case failed after writing');
    expect(await statusOf(e.id)).toBeUndefined();
  });

  it('notifies listeners on commit only, once per inserting statement', async () => {
    const listener = new Client({ connectionString: databaseUrl });
    await listener.connect();
    const received: string[] = [];
    listener.on('notification', (n) => received.push(n.channel));
    await listener.query('LISTEN outbox_events');
    try {
      await moduleRef
        .get(UnitOfWork)
        .run(() => moduleRef.get(EventOutbox).append([event(tenantId)]))
        .catch(() => undefined);
      await expect(
        moduleRef.get(UnitOfWork).run(async () => {
          await moduleRef.get(EventOutbox).append([event(tenantId)]);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow();
      await append([event(tenantId), event(tenantId), event(tenantId)]);
      await new Promise((r) => setTimeout(r, 200));
      expect(received).toEqual(['outbox_events', 'outbox_events']);
    } finally {
      await listener.end();
    }
  });
});
