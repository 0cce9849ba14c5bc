import { groupIntoSessions, type ImportedMessageRef } from './history-sessions';

const T0 = Date.UTC(2026, 2, 1, 9, 0, 0);
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const msg = (minutes: number, direction: 'inbound' | 'outbound', id = `m${minutes}`): ImportedMessageRef => ({
  externalId: id,
  sentAt: at(minutes),
  direction,
});

describe('groupIntoSessions', () => {
  const timeoutSeconds = 30 * 60;

  it('opens a new session after a gap longer than the timeout, not at one equal to it', () => {
    const sessions = groupIntoSessions(
      [msg(0, 'inbound'), msg(30, 'outbound'), msg(61, 'inbound'), msg(200, 'inbound')],
      { timeoutSeconds, now: at(10_000), hasLiveActiveSession: false },
    );
    expect(sessions.map((s) => s.messages.map((m) => m.externalId))).toEqual([['m0', 'm30'], ['m61'], ['m200']]);
    expect(sessions.map((s) => [s.startedAt, s.lastActivityAt])).toEqual([
      [at(0), at(30)],
      [at(61), at(61)],
      [at(200), at(200)],
    ]);
  });

  it('counts directions and finds the first reply after the first inbound message', () => {
    const [session] = groupIntoSessions(
      [msg(0, 'outbound'), msg(2, 'inbound'), msg(2, 'outbound', 'same-second'), msg(5, 'outbound')],
      { timeoutSeconds, now: at(1000), hasLiveActiveSession: false },
    );
    expect(session).toMatchObject({
      inbound: 1,
      outbound: 3,
      firstInboundAt: at(2),
      firstOutboundAfterInboundAt: at(2),
    });
  });

  it('keeps the newest session active while its deadline is ahead, and ends everything older', () => {
    const sessions = groupIntoSessions([msg(0, 'inbound'), msg(100, 'inbound')], {
      timeoutSeconds,
      now: at(110),
      hasLiveActiveSession: false,
    });
    expect(sessions.map((s) => s.status)).toEqual(['ended', 'active']);
  });

  it('ends the newest session too once its deadline passed, or when the contact has a live active session', () => {
    expect(
      groupIntoSessions([msg(0, 'inbound')], { timeoutSeconds, now: at(31), hasLiveActiveSession: false })[0]!.status,
    ).toBe('ended');
    expect(
      groupIntoSessions([msg(0, 'inbound')], { timeoutSeconds, now: at(5), hasLiveActiveSession: true })[0]!.status,
    ).toBe('ended');
  });

  it('makes no session without messages', () => {
    expect(groupIntoSessions([], { timeoutSeconds, now: at(0), hasLiveActiveSession: false })).toEqual([]);
  });
});
