import { type TestingModule } from '@nestjs/testing';
import { type DataSource } from 'typeorm';
import { ConflictError, UnitOfWork, ValidationError } from '@app/shared';
import {
  type NewSession,
  Session,
  SessionNotFoundError,
  SessionRepository,
  SessionVersionConflictError,
  emptySessionMessageStats,
} from '@app/session';
import { createSessionTestContext, rejection, type SessionTestContext } from '../../testing';

const T0 = new Date('2025-11-26T10:00:00.123Z');
const plus = (seconds: number, from = T0) => new Date(from.getTime() + seconds * 1_000);

describe('TypeOrmSessionRepository (real PostgreSQL)', () => {
  let ctx: SessionTestContext;
  let moduleRef: TestingModule;
  let db: DataSource;
  let repository: SessionRepository;
  let unitOfWork: UnitOfWork;
  let tenantA: string;
  let tenantB: string;

  beforeAll(async () => {
    ctx = await createSessionTestContext();
    ({ moduleRef, db } = ctx);
    repository = moduleRef.get(SessionRepository, { strict: false });
    unitOfWork = moduleRef.get(UnitOfWork);
    tenantA = await ctx.newTenant('Repo A');
    tenantB = await ctx.newTenant('Repo B');
  });

  afterAll(async () => {
    await moduleRef?.close();
  });

  async function newSession(tenantId = tenantA, overrides: Partial<NewSession> = {}): Promise<Session> {
    const contactId = overrides.contactId ?? (await ctx.newContact(tenantId));
    const channelId = overrides.channelId ?? (await ctx.newChannel(tenantId));
    return Session.open(
      { tenantId, contactId, channelId, startedAt: T0, timeoutSeconds: 600, warningLeadSeconds: 60, ...overrides },
      plus(1),
    );
  }

  it('reads back exactly what it stored, including summary and first touch', async () => {
    const session = await newSession();
    expect(await repository.insertIfAbsent(session)).toBe(true);
    expect(session.expectedVersion).toBe(1);
    expect(session.hasUnsavedChanges).toBe(false);

    const loaded = await repository.findById(tenantA, session.id);
    expect(loaded?.toProps()).toEqual(session.toProps());
    expect(loaded?.pullEvents()).toEqual([]);
    expect((await repository.findActive(tenantA, session.contactId, session.channelId))?.id).toBe(session.id);

    session.setFirstTouch({ sourceType: 'ad', nested: { id: 7 } });
    session.recordActivity(plus(30));
    session.end('manual', plus(90), {
      inbound: 1,
      outbound: 1,
      firstMessageAt: T0,
      lastMessageAt: plus(30),
      firstInboundAt: T0,
      firstOutboundAfterInboundAt: plus(30),
    });
    await repository.update(session);
    const ended = await repository.findById(tenantA, session.id);
    expect(ended?.toProps()).toEqual(session.toProps());
    expect(ended?.summary?.toJSON()).toMatchObject({ messagesTotal: 2, durationSeconds: 90, firstResponseSeconds: 30 });
    expect(await repository.findActive(tenantA, session.contactId, session.channelId)).toBeNull();
    // updated_at is the time of the write (the repository's clock), not a domain time.
    const [row] = await db.query(
      `SELECT version, abs(extract(epoch FROM updated_at - now())) < 60 AS touched_now FROM sessions WHERE id = $1`,
      [session.id],
    );
    expect(row).toEqual({ version: 2, touched_now: true });
  });

  it('insertIfAbsent stores only when the contact has no active session on the channel, and again once it ended', async () => {
    const first = await newSession();
    expect(await repository.insertIfAbsent(first)).toBe(true);

    const second = await newSession(tenantA, { contactId: first.contactId, channelId: first.channelId });
    expect(await repository.insertIfAbsent(second)).toBe(false);
    expect(second.hasUnsavedChanges).toBe(true);
    expect(await db.query(`SELECT id FROM sessions WHERE contact_id = $1`, [first.contactId])).toEqual([
      { id: first.id },
    ]);

    first.end('manual', plus(10), emptySessionMessageStats());
    await repository.update(first);
    const third = await newSession(tenantA, { contactId: first.contactId, channelId: first.channelId });
    expect(await repository.insertIfAbsent(third)).toBe(true);
    expect((await repository.findActive(tenantA, first.contactId, first.channelId))?.id).toBe(third.id);
  });

  it('scopes every read to the tenant and answers null (not a database error) for malformed ids', async () => {
    const session = await newSession();
    await repository.insertIfAbsent(session);
    expect(await repository.findById(tenantB, session.id)).toBeNull();
    expect(await repository.findActive(tenantB, session.contactId, session.channelId)).toBeNull();
    expect(await unitOfWork.run(() => repository.findByIdForUpdate(tenantB, session.id))).toBeNull();
    expect((await repository.list(tenantB, { limit: 500 })).map((r) => r.item.id)).not.toContain(session.id);
    expect((await repository.list(tenantA, { limit: 500 })).map((r) => r.item.id)).toContain(session.id);

    expect(await repository.findById(tenantA, 'not-a-uuid')).toBeNull();
    expect(await repository.findById('not-a-uuid', session.id)).toBeNull();
    expect(await repository.findActive(tenantA, 'x', session.channelId)).toBeNull();
    expect(await repository.list('not-a-uuid', { limit: 10 })).toEqual([]);
    expect(await repository.list(tenantA, { limit: 10, contactId: 'x' })).toEqual([]);
  });

  it('detects a concurrent change with the version check and keeps the first writer', async () => {
    const session = await newSession();
    await repository.insertIfAbsent(session);
    const one = (await repository.findById(tenantA, session.id))!;
    const two = (await repository.findById(tenantA, session.id))!;

    one.recordActivity(plus(100));
    await repository.update(one);
    expect(one.expectedVersion).toBe(2);

    two.end('manual', plus(50), emptySessionMessageStats());
    const error = await rejection(repository.update(two));
    expect(error).toBeInstanceOf(SessionVersionConflictError);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as SessionVersionConflictError).code).toBe('SESSION.VERSION_CONFLICT');
    expect((await db.query(`SELECT status, version FROM sessions WHERE id = $1`, [session.id]))[0]).toEqual({
      status: 'active',
      version: 2,
    });

    const ghost = await newSession();
    ghost.recordActivity(plus(5));
    const missing = await rejection(repository.update(ghost));
    expect(missing).toBeInstanceOf(SessionNotFoundError);
  });

  it('findByIdForUpdate makes concurrent writers of one session wait for each other', async () => {
    const session = await newSession();
    await repository.insertIfAbsent(session);
    const order: string[] = [];
    let releaseFirst!: () => void;
    const firstHolds = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstLocked!: () => void;
    const locked = new Promise<void>((resolve) => (firstLocked = resolve));

    const first = unitOfWork.run(async () => {
      const s = (await repository.findByIdForUpdate(tenantA, session.id))!;
      order.push('first locked');
      firstLocked();
      await firstHolds;
      s.recordActivity(plus(10));
      await repository.update(s);
      order.push('first saved');
    });
    await locked;
    const second = unitOfWork.run(async () => {
      const s = (await repository.findByIdForUpdate(tenantA, session.id))!;
      order.push(`second locked at ${s.lastActivityAt.toISOString()}`);
      s.recordActivity(plus(20));
      await repository.update(s);
    });
    await new Promise((r) => setTimeout(r, 150));
    expect(order).toEqual(['first locked']);
    releaseFirst();
    await Promise.all([first, second]);
    // The second writer read the row only after the first committed, so no version conflict.
    expect(order).toEqual(['first locked', 'first saved', `second locked at ${plus(10).toISOString()}`]);
    expect((await repository.findById(tenantA, session.id))?.lastActivityAt).toEqual(plus(20));
  });

  it('names the missing contact, channel or tenant when a foreign key does not hold', async () => {
    const bogus = '00000000-0000-4000-8000-00000000000f';
    const contactId = await ctx.newContact(tenantA);
    const channelId = await ctx.newChannel(tenantA);
    const cases: [Partial<NewSession>, string][] = [
      [{ contactId: bogus, channelId }, 'contactId'],
      [{ contactId, channelId: bogus }, 'channelId'],
    ];
    for (const [overrides, field] of cases) {
      const error = await rejection(repository.insertIfAbsent(await newSession(tenantA, overrides)));
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe(field);
    }
    const noTenant = Session.open({ tenantId: bogus, contactId, channelId, startedAt: T0, timeoutSeconds: 60 }, T0);
    expect(((await rejection(repository.insertIfAbsent(noTenant))) as ValidationError).field).toBe('tenantId');
  });

  it('joins the unit of work it runs in', async () => {
    const session = await newSession();
    const error = await rejection(
      unitOfWork.run(async () => {
        await repository.insertIfAbsent(session);
        expect((await repository.findById(tenantA, session.id))?.id).toBe(session.id);
        throw new Error('abort');
      }),
    );
    expect((error as Error).message).toBe('abort');
    expect(await repository.findById(tenantA, session.id)).toBeNull();
  });

  it('lists after a keyset position in (createdAt DESC, id DESC) order, ties broken by id', async () => {
    const tenant = await ctx.newTenant('Repo keyset');
    const channelId = await ctx.newChannel(tenant);
    const created = new Date('2025-01-01T00:00:00.000Z');
    const same: Session[] = [];
    for (let i = 0; i < 3; i += 1) {
      const s = Session.open(
        { tenantId: tenant, contactId: await ctx.newContact(tenant), channelId, startedAt: T0, timeoutSeconds: 60 },
        created,
      );
      await repository.insertIfAbsent(s);
      same.push(s);
    }
    const later = Session.open(
      { tenantId: tenant, contactId: await ctx.newContact(tenant), channelId, startedAt: T0, timeoutSeconds: 60 },
      new Date('2025-01-02T00:00:00.000Z'),
    );
    await repository.insertIfAbsent(later);

    const expected = [
      later.id,
      ...same
        .map((s) => s.id)
        .sort()
        .reverse(),
    ];
    expect((await repository.list(tenant, { limit: 100 })).map((r) => r.item.id)).toEqual(expected);
    expect(
      (
        await repository.list(tenant, { limit: 100, after: { createdAt: created.toISOString(), id: expected[1]! } })
      ).map((r) => r.item.id),
    ).toEqual(expected.slice(2));
    expect((await repository.list(tenant, { limit: 2 })).map((r) => r.item.id)).toEqual(expected.slice(0, 2));
  });

  it('findExpiredActive compares last activity + timeout with now in milliseconds, across tenants', async () => {
    const base = new Date('2000-06-01T00:00:00.000Z');
    const a = await newSession(tenantA, { startedAt: base, timeoutSeconds: 60, warningLeadSeconds: 10 });
    const b = await newSession(tenantB, { startedAt: plus(-30, base), timeoutSeconds: 60, warningLeadSeconds: null });
    await repository.insertIfAbsent(a);
    await repository.insertIfAbsent(b);
    const deadlineA = plus(60, base);

    const refs = async (now: Date) =>
      (await repository.findExpiredActive({ now, limit: 100 })).filter((r) => [a.id, b.id].includes(r.sessionId));
    const refB = { tenantId: tenantB, sessionId: b.id, deadline: '2000-06-01T00:00:30.000000Z' };
    const refA = { tenantId: tenantA, sessionId: a.id, deadline: '2000-06-01T00:01:00.000000Z' };
    expect(await refs(deadlineA)).toEqual([refB]);
    expect(await refs(new Date(deadlineA.getTime() + 1))).toEqual([refB, refA]);
    expect(await repository.findExpiredActive({ now: new Date(deadlineA.getTime() + 1), limit: 1 })).toHaveLength(1);

    b.end('cleanup', plus(30, base), emptySessionMessageStats());
    await repository.update(b);
    expect(await refs(new Date(deadlineA.getTime() + 1))).toEqual([refA]);
  });

  it('findExpiredActive pages through the overdue sessions by their exact deadline, also within one millisecond', async () => {
    const sessions = await Promise.all(
      [0, 1, 2].map(() =>
        newSession(tenantA, {
          startedAt: new Date('1999-03-01T00:00:00.000Z'),
          timeoutSeconds: 60,
          warningLeadSeconds: null,
        }),
      ),
    );
    for (const session of sessions) await repository.insertIfAbsent(session);
    // Deadlines 1 µs apart, in the reverse order of the ids: only an exact keyset visits each once.
    const ids = sessions.map((s) => s.id).sort();
    for (const [i, id] of ids.entries()) {
      await db.query(
        `UPDATE sessions SET last_activity_at = '1999-03-01T00:00:00.000000Z'::timestamptz + $2 * interval '1 microsecond' WHERE id = $1`,
        [id, 2 - i],
      );
    }
    const now = new Date('1999-03-02T00:00:00.000Z');
    const seen: string[] = [];
    let after: { deadline: string; sessionId: string } | undefined;
    for (let page = 0; page < 10; page += 1) {
      const [ref] = await repository.findExpiredActive({ now, limit: 1, after });
      if (!ref) break;
      seen.push(ref.sessionId);
      after = { deadline: ref.deadline, sessionId: ref.sessionId };
    }
    expect(seen.filter((id) => ids.includes(id))).toEqual([...ids].reverse());
  });
});
