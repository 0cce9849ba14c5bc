import { type TestingModule } from '@nestjs/testing';
import { type DataSource } from 'typeorm';
import { NotFoundError, ValidationError } from '@app/shared';
import {
  EndSessionHandler,
  FindExpiredSessionsHandler,
  FindOrOpenSessionHandler,
  GetSessionHandler,
  ListSessionsHandler,
  RecordSessionActivityHandler,
  RecordTimeoutWarningHandler,
  ResolveSessionTimeoutPolicyHandler,
  SessionNotFoundError,
  type SessionMessageStats,
  type SessionView,
  SetSessionFirstTouchHandler,
  emptySessionMessageStats,
} from '@app/session';
import { createSessionTestContext, rejection, type SessionTestContext } from '../testing';

const T0 = new Date('2025-11-26T10:00:00.000Z');
const plus = (seconds: number, from = T0) => new Date(from.getTime() + seconds * 1_000);
const iso = (date: Date) => date.toISOString();

describe('Session use cases (real PostgreSQL)', () => {
  let ctx: SessionTestContext;
  let moduleRef: TestingModule;
  let db: DataSource;
  let findOrOpen: FindOrOpenSessionHandler;
  let recordActivity: RecordSessionActivityHandler;
  let endSession: EndSessionHandler;
  let warn: RecordTimeoutWarningHandler;
  let setFirstTouch: SetSessionFirstTouchHandler;
  let getSession: GetSessionHandler;
  let listSessions: ListSessionsHandler;
  let findExpired: FindExpiredSessionsHandler;
  let tenantA: string;
  let tenantB: string;

  beforeAll(async () => {
    ctx = await createSessionTestContext([], {
      SESSION_DEFAULT_TIMEOUT_SECONDS: '900',
      SESSION_DEFAULT_WARNING_LEAD_SECONDS: '60',
    });
    ({ moduleRef, db } = ctx);
    findOrOpen = moduleRef.get(FindOrOpenSessionHandler);
    recordActivity = moduleRef.get(RecordSessionActivityHandler);
    endSession = moduleRef.get(EndSessionHandler);
    warn = moduleRef.get(RecordTimeoutWarningHandler);
    setFirstTouch = moduleRef.get(SetSessionFirstTouchHandler);
    getSession = moduleRef.get(GetSessionHandler);
    listSessions = moduleRef.get(ListSessionsHandler);
    findExpired = moduleRef.get(FindExpiredSessionsHandler);
    tenantA = await ctx.newTenant('Tenant A');
    tenantB = await ctx.newTenant('Tenant B');
  });

  afterAll(async () => {
    await moduleRef?.close();
  });

  /** A contact and a channel of the tenant, ready for a conversation. */
  async function pair(tenantId = tenantA): Promise<{ tenantId: string; contactId: string; channelId: string }> {
    return { tenantId, contactId: await ctx.newContact(tenantId), channelId: await ctx.newChannel(tenantId) };
  }

  const activeRows = async (contactId: string, channelId: string): Promise<number> =>
    Number(
      (
        await db.query(
          `SELECT count(*) AS n FROM sessions WHERE contact_id = $1 AND channel_id = $2 AND status = 'active'`,
          [contactId, channelId],
        )
      )[0].n,
    );

  describe('FindOrOpenSession', () => {
    it('opens a new session, stores it and raises exactly one session.started', async () => {
      const p = await pair();
      const result = await findOrOpen.execute({ ...p, at: T0, timeoutSeconds: 1800, warningLeadSeconds: 300 });
      expect(result.opened).toBe(true);
      expect(result.endedExpired).toBeNull();
      expect(result.session).toEqual<SessionView>({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        contactId: p.contactId,
        channelId: p.channelId,
        status: 'active',
        startedAt: iso(T0),
        lastActivityAt: iso(T0),
        endedAt: null,
        endReason: null,
        timeoutSeconds: 1800,
        warningLeadSeconds: 300,
        deadlineAt: iso(plus(1800)),
        warningAt: iso(plus(1500)),
        summary: null,
        firstTouch: null,
        createdAt: expect.any(String),
      });

      const [row] = await db.query(
        `SELECT tenant_id, status, timeout_seconds, warning_lead_seconds, version FROM sessions WHERE id = $1`,
        [result.session.id],
      );
      expect(row).toEqual({
        tenant_id: p.tenantId,
        status: 'active',
        timeout_seconds: 1800,
        warning_lead_seconds: 300,
        version: 1,
      });

      const events = await ctx.outboxRows(result.session.id);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        tenant_id: p.tenantId,
        aggregate_type: 'session',
        aggregate_id: result.session.id,
        type: 'session.started',
        payload: {
          id: result.session.id,
          contactId: p.contactId,
          channelId: p.channelId,
          status: 'active',
          startedAt: iso(T0),
          deadlineAt: iso(plus(1800)),
          warningAt: iso(plus(1500)),
          timeoutSeconds: 1800,
          warningLeadSeconds: 300,
        },
      });
      await expect(getSession.execute({ tenantId: p.tenantId, sessionId: result.session.id })).resolves.toEqual(
        result.session,
      );
    });

    it('returns the active session while it has not expired, moving its last activity (and deadline) up', async () => {
      const p = await pair();
      const first = await findOrOpen.execute({ ...p, at: T0, timeoutSeconds: 600, warningLeadSeconds: null });
      const again = await findOrOpen.execute({ ...p, at: plus(590), timeoutSeconds: 60, warningLeadSeconds: null });
      expect(again.opened).toBe(false);
      expect(again.endedExpired).toBeNull();
      expect(again.session.id).toBe(first.session.id);
      // The session keeps the timeout it was opened with.
      expect(again.session).toMatchObject({
        timeoutSeconds: 600,
        lastActivityAt: iso(plus(590)),
        deadlineAt: iso(plus(1190)),
      });

      // Older (out-of-order) activity finds the same session and changes nothing.
      const late = await findOrOpen.execute({ ...p, at: plus(30), timeoutSeconds: 600 });
      expect(late.session).toEqual(again.session);
      expect((await ctx.outboxRows(first.session.id)).map((e) => e.type)).toEqual(['session.started']);
      expect(await activeRows(p.contactId, p.channelId)).toBe(1);
    });

    it('ends an expired active session at its deadline (reason inactivity, summary from the stats provider) and opens a new one', async () => {
      const p = await pair();
      const old = await findOrOpen.execute({ ...p, at: T0, timeoutSeconds: 60, warningLeadSeconds: 10 });
      await recordActivity.execute({ tenantId: p.tenantId, sessionId: old.session.id, at: plus(40) });
      const asked: string[] = [];
      const stats: SessionMessageStats = {
        inbound: 3,
        outbound: 2,
        firstMessageAt: T0,
        lastMessageAt: plus(40),
        firstInboundAt: T0,
        firstOutboundAfterInboundAt: plus(12.5),
      };

      const at = plus(100.001); // deadline was T0 + 40 s + 60 s
      const result = await findOrOpen.execute({
        ...p,
        at,
        timeoutSeconds: 120,
        warningLeadSeconds: null,
        statsProvider: async (sessionId) => {
          asked.push(sessionId);
          return stats;
        },
      });
      expect(asked).toEqual([old.session.id]);
      expect(result.opened).toBe(true);
      expect(result.session.id).not.toBe(old.session.id);
      expect(result.session).toMatchObject({
        status: 'active',
        startedAt: iso(at),
        timeoutSeconds: 120,
        warningLeadSeconds: null,
      });
      expect(result.endedExpired).toMatchObject({
        id: old.session.id,
        status: 'ended',
        endReason: 'inactivity',
        endedAt: iso(plus(100)),
        deadlineAt: null,
        warningAt: null,
        summary: {
          messagesInbound: 3,
          messagesOutbound: 2,
          messagesTotal: 5,
          firstMessageAt: iso(T0),
          lastMessageAt: iso(plus(40)),
          durationSeconds: 100,
          firstResponseSeconds: 12.5,
        },
      });
      await expect(getSession.execute({ tenantId: p.tenantId, sessionId: old.session.id })).resolves.toEqual(
        result.endedExpired,
      );

      const oldEvents = await ctx.outboxRows(old.session.id);
      expect(oldEvents.map((e) => e.type)).toEqual(['session.started', 'session.ended']);
      expect(oldEvents[1]!.payload).toMatchObject({
        reason: 'inactivity',
        endedAt: iso(plus(100)),
        summary: result.endedExpired!.summary,
      });
      expect((await ctx.outboxRows(result.session.id)).map((e) => e.type)).toEqual(['session.started']);
      expect(await activeRows(p.contactId, p.channelId)).toBe(1);
    });

    it('ends an expired session with a zero-message summary when no stats provider is given', async () => {
      const p = await pair();
      const old = await findOrOpen.execute({ ...p, at: T0, timeoutSeconds: 30 });
      const result = await findOrOpen.execute({ ...p, at: plus(31), timeoutSeconds: 30 });
      expect(result.endedExpired?.id).toBe(old.session.id);
      expect(result.endedExpired?.summary).toEqual({
        messagesInbound: 0,
        messagesOutbound: 0,
        messagesTotal: 0,
        firstMessageAt: null,
        lastMessageAt: null,
        durationSeconds: 30,
        firstResponseSeconds: null,
      });
    });

    it('never reopens an ended session: activity after an end opens a new one', async () => {
      const p = await pair();
      const first = await findOrOpen.execute({ ...p, at: T0, timeoutSeconds: 1800 });
      await endSession.execute({
        tenantId: p.tenantId,
        sessionId: first.session.id,
        reason: 'manual',
        at: plus(10),
        stats: emptySessionMessageStats(),
      });

      const next = await findOrOpen.execute({ ...p, at: plus(20), timeoutSeconds: 1800 });
      expect(next.opened).toBe(true);
      expect(next.endedExpired).toBeNull();
      expect(next.session.id).not.toBe(first.session.id);
      await expect(getSession.execute({ tenantId: p.tenantId, sessionId: first.session.id })).resolves.toMatchObject({
        status: 'ended',
        endReason: 'manual',
      });
      expect((await ctx.outboxRows(first.session.id)).map((e) => e.type)).toEqual(['session.started', 'session.ended']);
    });

    it('keeps one active session per contact and channel, not per contact', async () => {
      const p = await pair();
      const otherChannel = await ctx.newChannel(p.tenantId);
      const one = await findOrOpen.execute({ ...p, at: T0, timeoutSeconds: 60 });
      const two = await findOrOpen.execute({ ...p, channelId: otherChannel, at: T0, timeoutSeconds: 60 });
      expect(two.opened).toBe(true);
      expect(two.session.id).not.toBe(one.session.id);
    });

    it('validates its input before touching the database, naming the field', async () => {
      const p = await pair();
      const cases: [Record<string, unknown>, string][] = [
        [{ contactId: 'nope' }, 'contactId'],
        [{ channelId: 'nope' }, 'channelId'],
        [{ at: new Date('nope') }, 'at'],
        [{ timeoutSeconds: 0 }, 'timeoutSeconds'],
        [{ warningLeadSeconds: 60 }, 'warningLeadSeconds'],
      ];
      for (const [overrides, field] of cases) {
        const error = await rejection(findOrOpen.execute({ ...p, at: T0, timeoutSeconds: 60, ...overrides } as never));
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).field).toBe(field);
      }
      expect(
        Number((await db.query(`SELECT count(*) AS n FROM sessions WHERE contact_id = $1`, [p.contactId]))[0].n),
      ).toBe(0);
    });

    it('reports a contact or channel that does not exist as a ValidationError naming it', async () => {
      const p = await pair();
      const noContact = await rejection(
        findOrOpen.execute({ ...p, contactId: '00000000-0000-4000-8000-000000000001', at: T0, timeoutSeconds: 60 }),
      );
      expect(noContact).toBeInstanceOf(ValidationError);
      expect((noContact as ValidationError).field).toBe('contactId');
      const noChannel = await rejection(
        findOrOpen.execute({ ...p, channelId: '00000000-0000-4000-8000-000000000002', at: T0, timeoutSeconds: 60 }),
      );
      expect((noChannel as ValidationError).field).toBe('channelId');
    });

    it("rolls back the expired session's end when the stats provider fails", async () => {
      const p = await pair();
      const old = await findOrOpen.execute({ ...p, at: T0, timeoutSeconds: 30 });
      const error = await rejection(
        findOrOpen.execute({
          ...p,
          at: plus(60),
          timeoutSeconds: 30,
          statsProvider: () => Promise.reject(new Error('messages unavailable')),
        }),
      );
      expect((error as Error).message).toBe('messages unavailable');
      await expect(getSession.execute({ tenantId: p.tenantId, sessionId: old.session.id })).resolves.toMatchObject({
        status: 'active',
      });
      expect((await ctx.outboxRows(old.session.id)).map((e) => e.type)).toEqual(['session.started']);
    });
  });

  describe('concurrency', () => {
    it('20 concurrent find-or-open calls for one contact and channel open exactly one session and raise one session.started', async () => {
      const p = await pair();
      const results = await Promise.all(
        Array.from({ length: 20 }, () =>
          findOrOpen.execute({ ...p, at: T0, timeoutSeconds: 1800, warningLeadSeconds: 300 }),
        ),
      );
      const ids = new Set(results.map((r) => r.session.id));
      expect(ids.size).toBe(1);
      expect(results.filter((r) => r.opened)).toHaveLength(1);
      expect(results.every((r) => r.endedExpired === null)).toBe(true);

      const [id] = [...ids];
      expect(
        Number((await db.query(`SELECT count(*) AS n FROM sessions WHERE contact_id = $1`, [p.contactId]))[0].n),
      ).toBe(1);
      const started = await db.query(
        `SELECT count(*) AS n FROM outbox_events WHERE type = 'session.started' AND aggregate_id = $1`,
        [id],
      );
      expect(Number(started[0].n)).toBe(1);
    });

    it('20 concurrent calls at different times after an expiry end the old session once and all land in one new session', async () => {
      const p = await pair();
      const old = await findOrOpen.execute({ ...p, at: T0, timeoutSeconds: 60 });
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => findOrOpen.execute({ ...p, at: plus(61 + i), timeoutSeconds: 60 })),
      );
      expect(new Set(results.map((r) => r.session.id)).size).toBe(1);
      expect(results.filter((r) => r.opened)).toHaveLength(1);
      expect(results.filter((r) => r.endedExpired !== null).map((r) => r.endedExpired!.id)).toEqual([old.session.id]);

      const newId = results[0]!.session.id;
      expect(newId).not.toBe(old.session.id);
      expect((await ctx.outboxRows(old.session.id)).map((e) => e.type)).toEqual(['session.started', 'session.ended']);
      expect((await ctx.outboxRows(newId)).map((e) => e.type)).toEqual(['session.started']);
      // Every call's activity counted: the new session's last activity is the latest of them.
      await expect(getSession.execute({ tenantId: p.tenantId, sessionId: newId })).resolves.toMatchObject({
        lastActivityAt: iso(plus(80)),
      });
      expect(await activeRows(p.contactId, p.channelId)).toBe(1);
    });

    it('concurrent activity and ends of one session serialise: the session ends once and activity never moves it back', async () => {
      const p = await pair();
      const { session } = await findOrOpen.execute({ ...p, at: T0, timeoutSeconds: 3600 });
      const work: Promise<unknown>[] = [];
      for (let i = 1; i <= 10; i += 1) {
        work.push(recordActivity.execute({ tenantId: p.tenantId, sessionId: session.id, at: plus(i) }));
        work.push(
          endSession.execute({
            tenantId: p.tenantId,
            sessionId: session.id,
            reason: 'manual',
            at: plus(100),
            stats: emptySessionMessageStats(),
          }),
        );
      }
      const outcomes = await Promise.all(work);
      const ends = outcomes.filter((o): o is { ended: boolean } => typeof o === 'object' && o !== null && 'ended' in o);
      expect(ends.filter((o) => o.ended)).toHaveLength(1);
      expect((await ctx.outboxRows(session.id)).map((e) => e.type)).toEqual(['session.started', 'session.ended']);
    });
  });

  describe('RecordSessionActivity', () => {
    it('moves the last activity forward only, raises no event and is idempotent', async () => {
      const p = await pair();
      const { session } = await findOrOpen.execute({ ...p, at: T0, timeoutSeconds: 300, warningLeadSeconds: 60 });
      const moved = await recordActivity.execute({ tenantId: p.tenantId, sessionId: session.id, at: plus(120) });
      expect(moved).toMatchObject({
        lastActivityAt: iso(plus(120)),
        deadlineAt: iso(plus(420)),
        warningAt: iso(plus(360)),
      });
      await expect(
        recordActivity.execute({ tenantId: p.tenantId, sessionId: session.id, at: plus(120) }),
      ).resolves.toEqual(moved);
      await expect(
        recordActivity.execute({ tenantId: p.tenantId, sessionId: session.id, at: plus(5) }),
      ).resolves.toEqual(moved);
      // After the deadline the activity belongs to a new session: this one is not revived.
      await expect(
        recordActivity.execute({ tenantId: p.tenantId, sessionId: session.id, at: plus(421) }),
      ).resolves.toEqual(moved);
      expect((await ctx.outboxRows(session.id)).map((e) => e.type)).toEqual(['session.started']);
      expect((await db.query(`SELECT version FROM sessions WHERE id = $1`, [session.id]))[0].version).toBe(2);
    });

    it('returns an ended session unchanged', async () => {
      const p = await pair();
      const { session } = await findOrOpen.execute({ ...p, at: T0, timeoutSeconds: 300 });
      const { session: ended } = await endSession.execute({
        tenantId: p.tenantId,
        sessionId: session.id,
        reason: 'manual',
        at: plus(50),
        stats: emptySessionMessageStats(),
      });
      await expect(
        recordActivity.execute({ tenantId: p.tenantId, sessionId: session.id, at: plus(60) }),
      ).resolves.toEqual(ended);
      await expect(getSession.execute({ tenantId: p.tenantId, sessionId: session.id })).resolves.toEqual(ended);
    });

    it('answers SessionNotFoundError for an unknown session and ValidationError for a malformed id', async () => {
      const missing = await rejection(
        recordActivity.execute({ tenantId: tenantA, sessionId: '00000000-0000-4000-8000-000000000000', at: T0 }),
      );
      expect(missing).toBeInstanceOf(SessionNotFoundError);
      expect(missing).toBeInstanceOf(NotFoundError);
      expect((missing as SessionNotFoundError).code).toBe('SESSION.NOT_FOUND');
      const malformed = await rejection(recordActivity.execute({ tenantId: tenantA, sessionId: 'x', at: T0 }));
      expect((malformed as ValidationError).field).toBe('sessionId');
    });
  });

  describe('EndSession', () => {
    it('ends with a summary and one session.ended carrying reason and summary; ending again is a no-op', async () => {
      const p = await pair();
      const { session } = await findOrOpen.execute({ ...p, at: T0, timeoutSeconds: 1800 });
      const stats: SessionMessageStats = {
        inbound: 4,
        outbound: 3,
        firstMessageAt: T0,
        lastMessageAt: plus(300),
        firstInboundAt: T0,
        firstOutboundAfterInboundAt: plus(45),
      };
      const first = await endSession.execute({
        tenantId: p.tenantId,
        sessionId: session.id,
        reason: 'manual',
        at: plus(600),
        stats,
      });
      expect(first.ended).toBe(true);
      const summary = {
        messagesInbound: 4,
        messagesOutbound: 3,
        messagesTotal: 7,
        firstMessageAt: iso(T0),
        lastMessageAt: iso(plus(300)),
        durationSeconds: 600,
        firstResponseSeconds: 45,
      };
      expect(first.session).toMatchObject({
        status: 'ended',
        endReason: 'manual',
        endedAt: iso(plus(600)),
        deadlineAt: null,
        warningAt: null,
        summary,
      });

      const [row] = await db.query(
        `SELECT status, end_reason, ended_at, summary, version FROM sessions WHERE id = $1`,
        [session.id],
      );
      expect(row).toEqual({ status: 'ended', end_reason: 'manual', ended_at: plus(600), summary, version: 2 });

      const second = await endSession.execute({
        tenantId: p.tenantId,
        sessionId: session.id,
        reason: 'inactivity',
        at: plus(9999),
        stats: emptySessionMessageStats(),
      });
      expect(second).toEqual({ session: first.session, ended: false });

      const events = await ctx.outboxRows(session.id);
      expect(events.map((e) => e.type)).toEqual(['session.started', 'session.ended']);
      expect(events[1]).toMatchObject({ aggregate_type: 'session', tenant_id: p.tenantId });
      expect(events[1]!.payload).toMatchObject({
        id: session.id,
        status: 'ended',
        reason: 'manual',
        endedAt: iso(plus(600)),
        summary,
      });
      expect(events[1]!.occurred_at).toEqual(plus(600));
    });

    it('with onlyIfIdle, leaves a session alone whose deadline moved, and ends it once the deadline is reached', async () => {
      const p = await pair();
      const { session } = await findOrOpen.execute({ ...p, at: T0, timeoutSeconds: 60 });
      await recordActivity.execute({ tenantId: p.tenantId, sessionId: session.id, at: plus(50) });

      // A timer set for the first deadline (T0 + 60 s) fires late: the session is not idle any more.
      const stale = await endSession.execute({
        tenantId: p.tenantId,
        sessionId: session.id,
        reason: 'inactivity',
        at: plus(60),
        stats: emptySessionMessageStats(),
        onlyIfIdle: true,
      });
      expect(stale).toMatchObject({ ended: false, session: { status: 'active', deadlineAt: iso(plus(110)) } });
      expect((await ctx.outboxRows(session.id)).map((e) => e.type)).toEqual(['session.started']);

      // A sweep long after the new deadline: ended, at the deadline rather than at the sweep time.
      const swept = await endSession.execute({
        tenantId: p.tenantId,
        sessionId: session.id,
        reason: 'cleanup',
        at: plus(5000),
        stats: emptySessionMessageStats(),
        onlyIfIdle: true,
      });
      expect(swept).toMatchObject({
        ended: true,
        session: { status: 'ended', endReason: 'cleanup', endedAt: iso(plus(110)), summary: { durationSeconds: 110 } },
      });
      expect((await ctx.outboxRows(session.id))[1]!.payload).toMatchObject({
        reason: 'cleanup',
        endedAt: iso(plus(110)),
      });
    });

    it('a saga_rollback leaves a session with messages active (other messages adopted it) and ends one without', async () => {
      const p = await pair();
      const { session } = await findOrOpen.execute({ ...p, at: T0, timeoutSeconds: 1800 });
      const oneInbound: SessionMessageStats = {
        ...emptySessionMessageStats(),
        inbound: 1,
        firstMessageAt: T0,
        lastMessageAt: T0,
        firstInboundAt: T0,
      };
      const kept = await endSession.execute({
        tenantId: p.tenantId,
        sessionId: session.id,
        reason: 'saga_rollback',
        at: plus(5),
        statsProvider: async () => oneInbound,
      });
      expect(kept).toMatchObject({ ended: false, session: { status: 'active', endReason: null, endedAt: null } });
      expect(await activeRows(p.contactId, p.channelId)).toBe(1);
      expect((await ctx.outboxRows(session.id)).map((e) => e.type)).toEqual(['session.started']);

      const rolledBack = await endSession.execute({
        tenantId: p.tenantId,
        sessionId: session.id,
        reason: 'saga_rollback',
        at: plus(6),
        statsProvider: async () => emptySessionMessageStats(),
      });
      expect(rolledBack).toMatchObject({
        ended: true,
        session: { status: 'ended', endReason: 'saga_rollback', summary: { messagesTotal: 0 } },
      });
      expect((await ctx.outboxRows(session.id)).map((e) => e.type)).toEqual(['session.started', 'session.ended']);

      // Other reasons end a session whatever its messages.
      const q = await pair();
      const other = (await findOrOpen.execute({ ...q, at: T0, timeoutSeconds: 1800 })).session;
      const manual = await endSession.execute({
        tenantId: q.tenantId,
        sessionId: other.id,
        reason: 'manual',
        at: plus(5),
        statsProvider: async () => oneInbound,
      });
      expect(manual).toMatchObject({
        ended: true,
        session: { status: 'ended', endReason: 'manual', summary: { messagesTotal: 1 } },
      });
    });

    it('rejects an unknown end reason and malformed stats without ending anything', async () => {
      const p = await pair();
      const { session } = await findOrOpen.execute({ ...p, at: T0, timeoutSeconds: 60 });
      const badReason = await rejection(
        endSession.execute({
          tenantId: p.tenantId,
          sessionId: session.id,
          reason: 'transferred' as never,
          at: plus(10),
          stats: emptySessionMessageStats(),
        }),
      );
      expect((badReason as ValidationError).field).toBe('reason');
      const badStats = await rejection(
        endSession.execute({
          tenantId: p.tenantId,
          sessionId: session.id,
          reason: 'manual',
          at: plus(10),
          stats: { ...emptySessionMessageStats(), outbound: -1 },
        }),
      );
      expect((badStats as ValidationError).field).toBe('stats.outbound');
      await expect(getSession.execute({ tenantId: p.tenantId, sessionId: session.id })).resolves.toMatchObject({
        status: 'active',
      });
    });
  });

  describe('RecordTimeoutWarning', () => {
    it('writes session.timeout_warning for an active session, and nothing once it has ended', async () => {
      const p = await pair();
      const { session } = await findOrOpen.execute({ ...p, at: T0, timeoutSeconds: 300, warningLeadSeconds: 60 });
      const result = await warn.execute({ tenantId: p.tenantId, sessionId: session.id, at: plus(240) });
      expect(result.warned).toBe(true);
      expect(result.session).toEqual(session);

      const events = await ctx.outboxRows(session.id);
      expect(events.map((e) => e.type)).toEqual(['session.started', 'session.timeout_warning']);
      expect(events[1]!.payload).toMatchObject({
        id: session.id,
        warnedAt: iso(plus(240)),
        deadlineAt: iso(plus(300)),
        secondsRemaining: 60,
      });

      await endSession.execute({
        tenantId: p.tenantId,
        sessionId: session.id,
        reason: 'inactivity',
        at: plus(300),
        stats: emptySessionMessageStats(),
      });
      await expect(warn.execute({ tenantId: p.tenantId, sessionId: session.id, at: plus(301) })).resolves.toMatchObject(
        { warned: false },
      );
      expect((await ctx.outboxRows(session.id)).map((e) => e.type)).toEqual([
        'session.started',
        'session.timeout_warning',
        'session.ended',
      ]);
    });
  });

  describe('SetSessionFirstTouch', () => {
    it('stores the first touch once and keeps it', async () => {
      const p = await pair();
      const { session } = await findOrOpen.execute({ ...p, at: T0, timeoutSeconds: 300 });
      const touch = { sourceType: 'ad', sourceId: '120208', ctwaClid: 'ARAkLk', title: 'Promo' };
      const first = await setFirstTouch.execute({ tenantId: p.tenantId, sessionId: session.id, firstTouch: touch });
      expect(first).toMatchObject({ set: true, session: { firstTouch: touch } });
      const second = await setFirstTouch.execute({
        tenantId: p.tenantId,
        sessionId: session.id,
        firstTouch: { sourceId: 'other' },
      });
      expect(second).toEqual({ set: false, session: first.session });
      await expect(getSession.execute({ tenantId: p.tenantId, sessionId: session.id })).resolves.toMatchObject({
        firstTouch: touch,
      });
      const ended = await endSession.execute({
        tenantId: p.tenantId,
        sessionId: session.id,
        reason: 'manual',
        at: plus(1),
        stats: emptySessionMessageStats(),
      });
      expect((await ctx.outboxRows(session.id))[1]!.payload).toMatchObject({ firstTouch: touch });
      expect(ended.session.firstTouch).toEqual(touch);
    });
  });

  describe('tenant isolation', () => {
    it("never lets tenant B read, change or list tenant A's session", async () => {
      const p = await pair(tenantA);
      const { session } = await findOrOpen.execute({ ...p, at: T0, timeoutSeconds: 300, warningLeadSeconds: 60 });
      const asB = { tenantId: tenantB, sessionId: session.id };

      expect(await rejection(getSession.execute(asB))).toBeInstanceOf(SessionNotFoundError);
      expect(await rejection(recordActivity.execute({ ...asB, at: plus(10) }))).toBeInstanceOf(SessionNotFoundError);
      expect(
        await rejection(
          endSession.execute({ ...asB, reason: 'manual', at: plus(10), stats: emptySessionMessageStats() }),
        ),
      ).toBeInstanceOf(SessionNotFoundError);
      expect(await rejection(warn.execute({ ...asB, at: plus(10) }))).toBeInstanceOf(SessionNotFoundError);
      expect(await rejection(setFirstTouch.execute({ ...asB, firstTouch: { a: 1 } }))).toBeInstanceOf(
        SessionNotFoundError,
      );
      expect((await listSessions.execute({ tenantId: tenantB, limit: 200 })).data.map((s) => s.id)).not.toContain(
        session.id,
      );
      expect((await listSessions.execute({ tenantId: tenantB, contactId: p.contactId })).data).toEqual([]);

      await expect(getSession.execute({ tenantId: tenantA, sessionId: session.id })).resolves.toEqual(session);
      expect((await ctx.outboxRows(session.id)).map((e) => e.type)).toEqual(['session.started']);
    });
  });

  describe('ListSessions', () => {
    let tenant: string;
    let contacts: string[];
    let channels: string[];
    const all: SessionView[] = [];

    beforeAll(async () => {
      tenant = await ctx.newTenant('Listing tenant');
      contacts = [await ctx.newContact(tenant), await ctx.newContact(tenant)];
      channels = [await ctx.newChannel(tenant), await ctx.newChannel(tenant)];
      // Per (contact, channel): three sessions one after another (each ends when the next opens).
      for (const contactId of contacts) {
        for (const channelId of channels) {
          for (let i = 0; i < 3; i += 1) {
            const { session } = await findOrOpen.execute({
              tenantId: tenant,
              contactId,
              channelId,
              at: plus(i * 1000),
              timeoutSeconds: 60,
            });
            all.push(session);
          }
        }
      }
    });

    const walk = async (
      filters: { contactId?: string; channelId?: string; status?: 'active' | 'ended' },
      limit: number,
    ) => {
      const seen: SessionView[] = [];
      let cursor: string | undefined;
      do {
        const page = await listSessions.execute({ tenantId: tenant, ...filters, limit, cursor });
        expect(page.data.length).toBeLessThanOrEqual(limit);
        seen.push(...page.data);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return seen;
    };

    it('walks every session exactly once, newest first, following nextCursor', async () => {
      const seen = await walk({}, 5);
      expect(seen).toHaveLength(12);
      expect(new Set(seen.map((s) => s.id))).toEqual(new Set(all.map((s) => s.id)));
      const order = [...seen].sort(
        (a, b) => b.createdAt.localeCompare(a.createdAt) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
      );
      expect(seen.map((s) => s.id)).toEqual(order.map((s) => s.id));
    });

    it('filters by contact, channel and status, alone and together', async () => {
      expect((await walk({ contactId: contacts[0] }, 4)).every((s) => s.contactId === contacts[0])).toBe(true);
      expect(await walk({ contactId: contacts[0] }, 4)).toHaveLength(6);
      expect(await walk({ channelId: channels[1] }, 4)).toHaveLength(6);
      const active = await walk({ status: 'active' }, 2);
      expect(active).toHaveLength(4);
      expect(active.every((s) => s.status === 'active')).toBe(true);
      const ended = await walk({ status: 'ended' }, 50);
      expect(ended).toHaveLength(8);
      expect(ended.every((s) => s.status === 'ended' && s.endReason === 'inactivity')).toBe(true);
      const one = await walk({ contactId: contacts[1], channelId: channels[0], status: 'active' }, 10);
      expect(one).toHaveLength(1);
      expect(one[0]).toMatchObject({ contactId: contacts[1], channelId: channels[0], status: 'active' });
    });

    it('validates filters, limit and cursor, naming the field', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ contactId: 'abc' }, 'contactId'],
        [{ channelId: '123' }, 'channelId'],
        [{ status: 'open' }, 'status'],
        [{ limit: 0 }, 'limit'],
        [{ limit: 201 }, 'limit'],
        [{ cursor: 'not-a-cursor' }, 'cursor'],
      ];
      for (const [overrides, field] of cases) {
        const error = await rejection(listSessions.execute({ tenantId: tenant, ...overrides } as never));
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).field).toBe(field);
      }
    });
  });

  describe('FindExpiredSessions', () => {
    it('finds active sessions of every tenant whose deadline passed, longest overdue first, and nothing else', async () => {
      const far = new Date('2001-01-01T00:00:00.000Z');
      const at = (s: number) => plus(s, far);
      const a1 = await pair(tenantA);
      const a2 = await pair(tenantA);
      const b1 = await pair(tenantB);
      const ended = await pair(tenantB);
      const fresh = await pair(tenantA);

      const overdueA1 = await findOrOpen.execute({ ...a1, at: at(0), timeoutSeconds: 100 }); // deadline +100
      const overdueB1 = await findOrOpen.execute({ ...b1, at: at(0), timeoutSeconds: 50 }); // deadline +50
      const exactlyDue = await findOrOpen.execute({ ...a2, at: at(0), timeoutSeconds: 200 }); // deadline +200 == now
      const endedOne = await findOrOpen.execute({ ...ended, at: at(0), timeoutSeconds: 10 });
      await endSession.execute({
        tenantId: ended.tenantId,
        sessionId: endedOne.session.id,
        reason: 'manual',
        at: at(5),
        stats: emptySessionMessageStats(),
      });
      await findOrOpen.execute({ ...fresh, at: at(150), timeoutSeconds: 3600 });

      const found = await findExpired.execute({ now: at(200), limit: 1000 });
      const mine = found.filter((r) =>
        [overdueA1, overdueB1, exactlyDue, endedOne].some((s) => s.session.id === r.sessionId),
      );
      expect(mine).toEqual([
        { tenantId: tenantB, sessionId: overdueB1.session.id, deadline: '2001-01-01T00:00:50.000000Z' },
        { tenantId: tenantA, sessionId: overdueA1.session.id, deadline: '2001-01-01T00:01:40.000000Z' },
      ]);
      expect(found.map((r) => r.sessionId)).not.toContain(exactlyDue.session.id);
      // The next page starts after the position it is given.
      const afterB1 = await findExpired.execute({
        now: at(200),
        limit: 1000,
        after: { deadline: mine[0]!.deadline, sessionId: mine[0]!.sessionId },
      });
      expect(afterB1.map((r) => r.sessionId)).toContain(overdueA1.session.id);
      expect(afterB1.map((r) => r.sessionId)).not.toContain(overdueB1.session.id);
      expect(
        (
          (await rejection(
            findExpired.execute({ now: at(1), after: { deadline: 'soon', sessionId: overdueA1.session.id } }),
          )) as ValidationError
        ).field,
      ).toBe('after.deadline');

      const limited = await findExpired.execute({ now: at(200), limit: 1 });
      expect(limited).toHaveLength(1);
      expect((await findExpired.execute({ now: at(1) })).map((r) => r.sessionId)).not.toContain(overdueA1.session.id);
      expect(((await rejection(findExpired.execute({ now: at(1), limit: 0 }))) as ValidationError).field).toBe('limit');
      expect(((await rejection(findExpired.execute({ now: new Date('x') }))) as ValidationError).field).toBe('now');
    });
  });

  describe('ResolveSessionTimeoutPolicy', () => {
    it('falls back from channel to tenant to the configured defaults', () => {
      const resolve = moduleRef.get(ResolveSessionTimeoutPolicyHandler);
      expect(resolve.execute({ channelTimeoutSeconds: 120, channelWarningLeadSeconds: 30 })).toEqual({
        timeoutSeconds: 120,
        warningLeadSeconds: 30,
        source: 'channel',
      });
      expect(resolve.execute({ tenantDefaultTimeoutSeconds: 600 })).toEqual({
        timeoutSeconds: 600,
        warningLeadSeconds: 60,
        source: 'tenant',
      });
      expect(resolve.execute({})).toEqual({ timeoutSeconds: 900, warningLeadSeconds: 60, source: 'default' });
    });
  });
});
