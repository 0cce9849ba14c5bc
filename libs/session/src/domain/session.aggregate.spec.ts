import { ValidationError } from '@app/shared';
import { FIRST_TOUCH_MAX_BYTES, type NewSession, Session, type SessionProps } from './session.aggregate';
import {
  type SessionEndedEventData,
  SessionEventTypes,
  type SessionStartedEventData,
  type SessionTimeoutWarningEventData,
} from './session.events';
import { type SessionMessageStats, SessionSummary, emptySessionMessageStats } from './session-summary.value-object';

const TENANT = '6f1d2c3b-4a59-4e8f-9d7c-1b2a3c4d5e6f';
const CONTACT = '0b6f3f4e-8d2a-4c1e-9f4b-2a7d5c9e1f30';
const CHANNEL = '5d0c7a1e-3b2f-4e6a-8c9d-7f1e2a3b4c5d';
const T0 = new Date('2025-11-26T10:00:00.000Z');
const NOW = new Date('2025-11-26T10:00:01.500Z');
const plus = (seconds: number, from = T0) => new Date(from.getTime() + seconds * 1_000);

function open(overrides: Partial<NewSession> = {}): Session {
  return Session.open(
    {
      tenantId: TENANT,
      contactId: CONTACT,
      channelId: CHANNEL,
      startedAt: T0,
      timeoutSeconds: 1800,
      warningLeadSeconds: 300,
      ...overrides,
    },
    NOW,
  );
}

function stored(overrides: Partial<SessionProps> = {}): Session {
  return Session.rehydrate({
    id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
    tenantId: TENANT,
    contactId: CONTACT,
    channelId: CHANNEL,
    status: 'active',
    startedAt: T0,
    lastActivityAt: plus(60),
    endedAt: null,
    endReason: null,
    timeoutSeconds: 1800,
    warningLeadSeconds: 300,
    summary: null,
    firstTouch: null,
    createdAt: NOW,
    version: 4,
    ...overrides,
  });
}

const STATS: SessionMessageStats = {
  inbound: 2,
  outbound: 1,
  firstMessageAt: T0,
  lastMessageAt: plus(60),
  firstInboundAt: T0,
  firstOutboundAfterInboundAt: plus(30),
};

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).field;
  }
  return undefined;
}

describe('Session', () => {
  describe('open', () => {
    it('starts an active session at the given time and records session.started with its deadline', () => {
      const session = open();
      expect(session.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(session.status).toBe('active');
      expect(session.startedAt).toEqual(T0);
      expect(session.lastActivityAt).toEqual(T0);
      expect(session.createdAt).toEqual(NOW);
      expect(session.endedAt).toBeNull();
      expect(session.endReason).toBeNull();
      expect(session.summary).toBeNull();
      expect(session.firstTouch).toBeNull();
      expect(session.version).toBe(1);
      expect(session.expectedVersion).toBe(0);
      expect(session.hasUnsavedChanges).toBe(true);

      const events = session.pullEvents();
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        type: SessionEventTypes.started,
        tenantId: TENANT,
        aggregateType: 'session',
        aggregateId: session.id,
        occurredAt: T0,
      });
      expect(events[0]!.data).toEqual<SessionStartedEventData>({
        id: session.id,
        contactId: CONTACT,
        channelId: CHANNEL,
        status: 'active',
        startedAt: '2025-11-26T10:00:00.000Z',
        lastActivityAt: '2025-11-26T10:00:00.000Z',
        timeoutSeconds: 1800,
        warningLeadSeconds: 300,
        firstTouch: null,
        deadlineAt: '2025-11-26T10:30:00.000Z',
        warningAt: '2025-11-26T10:25:00.000Z',
      });
      expect(session.pullEvents()).toEqual([]);
    });

    it('has no warning without a lead', () => {
      const session = open({ warningLeadSeconds: null });
      expect(session.warningAt()).toBeNull();
      expect((session.pullEvents()[0]!.data as unknown as SessionStartedEventData).warningAt).toBeNull();
      expect(open({ warningLeadSeconds: undefined }).warningLeadSeconds).toBeNull();
    });

    it.each<[Partial<NewSession>, string]>([
      [{ tenantId: 'x' }, 'tenantId'],
      [{ contactId: 'not-a-uuid' }, 'contactId'],
      [{ channelId: '' }, 'channelId'],
      [{ startedAt: new Date('invalid') }, 'startedAt'],
      [{ timeoutSeconds: 0 }, 'timeoutSeconds'],
      [{ timeoutSeconds: 90.5 }, 'timeoutSeconds'],
      [{ warningLeadSeconds: 1800 }, 'warningLeadSeconds'],
      [{ warningLeadSeconds: 0 }, 'warningLeadSeconds'],
    ])('rejects %p with a ValidationError naming %p', (overrides, field) => {
      expect(fieldOf(() => open(overrides))).toBe(field);
    });
  });

  describe('rehydrate', () => {
    it('restores the stored state and records nothing', () => {
      const session = stored();
      expect(session.version).toBe(4);
      expect(session.expectedVersion).toBe(4);
      expect(session.hasUnsavedChanges).toBe(false);
      expect(session.pullEvents()).toEqual([]);
    });
  });

  describe('deadline, warning and expiry', () => {
    it('derive from the last activity in whole milliseconds', () => {
      const session = stored({
        lastActivityAt: new Date('2025-11-26T10:01:00.007Z'),
        timeoutSeconds: 90,
        warningLeadSeconds: 30,
      });
      expect(session.deadline().toISOString()).toBe('2025-11-26T10:02:30.007Z');
      expect(session.warningAt()?.toISOString()).toBe('2025-11-26T10:02:00.007Z');
      expect(session.isExpiredAt(new Date('2025-11-26T10:02:30.007Z'))).toBe(false);
      expect(session.isExpiredAt(new Date('2025-11-26T10:02:30.008Z'))).toBe(true);
    });
  });

  describe('reachedDeadlineAt', () => {
    it('is true from the deadline on (unlike isExpiredAt, which starts one millisecond later)', () => {
      const session = stored();
      const deadline = session.deadline();
      expect(session.reachedDeadlineAt(new Date(deadline.getTime() - 1))).toBe(false);
      expect(session.reachedDeadlineAt(deadline)).toBe(true);
      expect(session.isExpiredAt(deadline)).toBe(false);
    });
  });

  describe('recordActivity', () => {
    it('moves the last activity and the deadline forward, one version step per save', () => {
      const session = stored();
      expect(session.recordActivity(plus(120))).toBe(true);
      expect(session.lastActivityAt).toEqual(plus(120));
      expect(session.deadline()).toEqual(plus(120 + 1800));
      expect(session.version).toBe(5);
      expect(session.recordActivity(plus(180))).toBe(true);
      expect(session.version).toBe(5);
      expect(session.pullEvents()).toEqual([]);
    });

    it('never moves backwards: earlier or equal activity (out of order, repeated) changes nothing', () => {
      const session = stored();
      expect(session.recordActivity(plus(30))).toBe(false);
      expect(session.recordActivity(plus(60))).toBe(false);
      expect(session.lastActivityAt).toEqual(plus(60));
      expect(session.hasUnsavedChanges).toBe(false);
    });

    it('counts any activity up to the deadline, but does not revive an expired session', () => {
      const session = stored();
      const deadline = session.deadline();
      expect(session.recordActivity(new Date(deadline.getTime() + 1))).toBe(false);
      expect(session.lastActivityAt).toEqual(plus(60));
      expect(session.recordActivity(deadline)).toBe(true);
      expect(session.lastActivityAt).toEqual(deadline);
    });

    it('never touches an ended session', () => {
      const session = stored({ status: 'ended', endedAt: plus(100), endReason: 'manual' });
      expect(session.recordActivity(plus(120))).toBe(false);
      expect(session.lastActivityAt).toEqual(plus(60));
      expect(session.hasUnsavedChanges).toBe(false);
    });

    it('rejects an invalid time', () => {
      expect(fieldOf(() => stored().recordActivity(new Date(Number.NaN)))).toBe('at');
    });
  });

  describe('end', () => {
    it('ends with reason, time and summary, and records session.ended carrying them', () => {
      const session = stored();
      const endedAt = plus(600);
      expect(session.end('manual', endedAt, STATS)).toBe(true);
      expect(session.status).toBe('ended');
      expect(session.isActive).toBe(false);
      expect(session.endedAt).toEqual(endedAt);
      expect(session.endReason).toBe('manual');
      expect(session.version).toBe(5);
      const summary = SessionSummary.fromStats(STATS, { startedAt: T0, endedAt });
      expect(session.summary?.toJSON()).toEqual(summary.toJSON());
      expect(session.summary?.toJSON()).toMatchObject({
        messagesTotal: 3,
        durationSeconds: 600,
        firstResponseSeconds: 30,
      });

      const [event, ...rest] = session.pullEvents();
      expect(rest).toEqual([]);
      expect(event).toMatchObject({
        type: SessionEventTypes.ended,
        aggregateType: 'session',
        aggregateId: session.id,
        tenantId: TENANT,
        occurredAt: endedAt,
      });
      expect(event!.data).toEqual<SessionEndedEventData>({
        id: session.id,
        contactId: CONTACT,
        channelId: CHANNEL,
        status: 'ended',
        startedAt: T0.toISOString(),
        lastActivityAt: plus(60).toISOString(),
        timeoutSeconds: 1800,
        warningLeadSeconds: 300,
        firstTouch: null,
        reason: 'manual',
        endedAt: endedAt.toISOString(),
        summary: summary.toJSON(),
      });
    });

    it('is idempotent: ending an ended session returns false and changes and records nothing', () => {
      const session = stored();
      session.end('inactivity', session.deadline(), STATS);
      session.pullEvents();
      session.markPersisted();
      expect(session.end('manual', plus(5000), emptySessionMessageStats())).toBe(false);
      expect(session.endReason).toBe('inactivity');
      expect(session.endedAt).toEqual(plus(60 + 1800));
      expect(session.summary?.messagesTotal).toBe(3);
      expect(session.hasUnsavedChanges).toBe(false);
      expect(session.pullEvents()).toEqual([]);
    });

    it.each(['inactivity', 'cleanup'] as const)(
      'ends an idle session (%p) at its deadline at the latest, so the idle tail does not count',
      (reason) => {
        const session = stored();
        const deadline = session.deadline();
        expect(session.end(reason, plus(7200), emptySessionMessageStats())).toBe(true);
        expect(session.endedAt).toEqual(deadline);
        expect(session.summary?.durationSeconds).toBe(60 + 1800);
        expect((session.pullEvents()[0]!.data as unknown as SessionEndedEventData).endedAt).toBe(
          deadline.toISOString(),
        );
      },
    );

    it('ends a session for other reasons at the given time, even long after the deadline', () => {
      const session = stored();
      session.end('import', plus(7200), emptySessionMessageStats());
      expect(session.endedAt).toEqual(plus(7200));
    });

    it('never ends before the last activity', () => {
      const session = stored();
      session.end('saga_rollback', plus(10), emptySessionMessageStats());
      expect(session.endedAt).toEqual(plus(60));
      expect(session.summary?.durationSeconds).toBe(60);
    });

    it('validates reason, time and statistics before changing anything', () => {
      const session = stored();
      expect(fieldOf(() => session.end('transferred' as never, plus(100), STATS))).toBe('reason');
      expect(fieldOf(() => session.end('manual', new Date('x'), STATS))).toBe('at');
      expect(fieldOf(() => session.end('manual', plus(100), { ...STATS, inbound: -2 }))).toBe('stats.inbound');
      expect(session.status).toBe('active');
      expect(session.hasUnsavedChanges).toBe(false);
      expect(session.pullEvents()).toEqual([]);
    });
  });

  describe('recordTimeoutWarning', () => {
    it('records session.timeout_warning with the deadline and the time left, changing no state', () => {
      const session = stored();
      const warnedAt = session.warningAt()!;
      expect(session.recordTimeoutWarning(warnedAt)).toBe(true);
      expect(session.hasUnsavedChanges).toBe(false);
      const [event, ...rest] = session.pullEvents();
      expect(rest).toEqual([]);
      expect(event).toMatchObject({
        type: SessionEventTypes.timeoutWarning,
        aggregateId: session.id,
        occurredAt: warnedAt,
      });
      expect(event!.data).toEqual<SessionTimeoutWarningEventData>({
        ...session.snapshot(),
        warnedAt: plus(60 + 1500).toISOString(),
        deadlineAt: plus(60 + 1800).toISOString(),
        secondsRemaining: 300,
      });
    });

    it('warns nobody about an ended or already expired session', () => {
      const ended = stored({ status: 'ended', endedAt: plus(100), endReason: 'manual' });
      expect(ended.recordTimeoutWarning(plus(120))).toBe(false);
      const expired = stored();
      expect(expired.recordTimeoutWarning(new Date(expired.deadline().getTime() + 1))).toBe(false);
      expect(ended.pullEvents()).toEqual([]);
      expect(expired.pullEvents()).toEqual([]);
    });
  });

  describe('setFirstTouch', () => {
    it('sets the first touch once; later touches are ignored', () => {
      const session = stored();
      expect(
        session.setFirstTouch({
          sourceType: 'ad',
          sourceId: '120208',
          clickedAt: new Date('2025-11-26T09:59:00.000Z'),
          skip: undefined,
        }),
      ).toBe(true);
      expect(session.firstTouch).toEqual({
        sourceType: 'ad',
        sourceId: '120208',
        clickedAt: '2025-11-26T09:59:00.000Z',
      });
      expect(session.version).toBe(5);
      expect(session.setFirstTouch({ sourceType: 'ad', sourceId: 'later' })).toBe(false);
      expect(session.firstTouch).toMatchObject({ sourceId: '120208' });
      expect(session.pullEvents()).toEqual([]);
    });

    it('is allowed after the session ended (attribution arrives late sometimes)', () => {
      expect(
        stored({ status: 'ended', endedAt: plus(100), endReason: 'manual' }).setFirstTouch({ sourceId: 'x' }),
      ).toBe(true);
    });

    it('hands out copies, so callers cannot change the stored touch', () => {
      const session = stored();
      session.setFirstTouch({ nested: { a: 1 } });
      (session.firstTouch!.nested as Record<string, number>).a = 2;
      expect(session.firstTouch).toEqual({ nested: { a: 1 } });
    });

    it.each([null, [], 'ad', 42])('rejects %p', (value) => {
      expect(fieldOf(() => stored().setFirstTouch(value as never))).toBe('firstTouch');
    });

    it('rejects oversized, cyclic and NUL-containing data', () => {
      expect(fieldOf(() => stored().setFirstTouch({ blob: 'x'.repeat(FIRST_TOUCH_MAX_BYTES) }))).toBe('firstTouch');
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      expect(fieldOf(() => stored().setFirstTouch(cyclic))).toBe('firstTouch');
      expect(fieldOf(() => stored().setFirstTouch({ text: 'a\u0000b' }))).toBe('firstTouch');
    });
  });
});
