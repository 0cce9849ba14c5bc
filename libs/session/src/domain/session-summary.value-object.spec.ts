import { ValidationError } from '@app/shared';
import { type SessionMessageStats, SessionSummary, emptySessionMessageStats } from './session-summary.value-object';

const STARTED = new Date('2025-11-26T10:00:00.000Z');
const ENDED = new Date('2025-11-26T10:45:30.250Z');
const at = (iso: string) => new Date(iso);

function stats(overrides: Partial<SessionMessageStats> = {}): SessionMessageStats {
  return {
    inbound: 4,
    outbound: 3,
    firstMessageAt: at('2025-11-26T10:00:00.000Z'),
    lastMessageAt: at('2025-11-26T10:15:30.250Z'),
    firstInboundAt: at('2025-11-26T10:00:00.000Z'),
    firstOutboundAfterInboundAt: at('2025-11-26T10:02:05.500Z'),
    ...overrides,
  };
}

function fieldOf(fn: () => void): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).field;
  }
  return undefined;
}

describe('SessionSummary', () => {
  it('counts messages by direction and in total, and keeps the first and last message times', () => {
    const summary = SessionSummary.fromStats(stats(), { startedAt: STARTED, endedAt: ENDED });
    expect(summary.toJSON()).toEqual({
      messagesInbound: 4,
      messagesOutbound: 3,
      messagesTotal: 7,
      firstMessageAt: '2025-11-26T10:00:00.000Z',
      lastMessageAt: '2025-11-26T10:15:30.250Z',
      durationSeconds: 2730.25,
      firstResponseSeconds: 125.5,
    });
  });

  it('measures the duration from start to end with millisecond precision', () => {
    const summary = SessionSummary.fromStats(emptySessionMessageStats(), {
      startedAt: STARTED,
      endedAt: new Date(STARTED.getTime() + 1_801_001),
    });
    expect(summary.durationSeconds).toBe(1801.001);
    expect(
      SessionSummary.fromStats(emptySessionMessageStats(), { startedAt: STARTED, endedAt: STARTED }).durationSeconds,
    ).toBe(0);
  });

  it('measures the first response time from the first inbound message to the first reply after it', () => {
    const summary = SessionSummary.fromStats(
      stats({
        firstInboundAt: at('2025-11-26T10:05:00.000Z'),
        firstOutboundAfterInboundAt: at('2025-11-26T10:05:00.001Z'),
      }),
      { startedAt: STARTED, endedAt: ENDED },
    );
    expect(summary.firstResponseSeconds).toBe(0.001);
  });

  it('has no first response time when nobody replied, or when the contact never wrote', () => {
    expect(
      SessionSummary.fromStats(stats({ outbound: 0, firstOutboundAfterInboundAt: null }), {
        startedAt: STARTED,
        endedAt: ENDED,
      }).firstResponseSeconds,
    ).toBeNull();
    // Only outbound messages (e.g. a broadcast with no answer): no inbound, so no response time.
    const outboundOnly = SessionSummary.fromStats(
      stats({ inbound: 0, firstInboundAt: null, firstOutboundAfterInboundAt: null }),
      { startedAt: STARTED, endedAt: ENDED },
    );
    expect(outboundOnly.toJSON()).toMatchObject({
      messagesInbound: 0,
      messagesOutbound: 3,
      messagesTotal: 3,
      firstResponseSeconds: null,
    });
  });

  it('summarises a session without messages', () => {
    expect(
      SessionSummary.fromStats(emptySessionMessageStats(), { startedAt: STARTED, endedAt: ENDED }).toJSON(),
    ).toEqual({
      messagesInbound: 0,
      messagesOutbound: 0,
      messagesTotal: 0,
      firstMessageAt: null,
      lastMessageAt: null,
      durationSeconds: 2730.25,
      firstResponseSeconds: null,
    });
  });

  it('never reports a negative duration', () => {
    expect(
      SessionSummary.fromStats(emptySessionMessageStats(), { startedAt: ENDED, endedAt: STARTED }).durationSeconds,
    ).toBe(0);
  });

  it.each<[Partial<SessionMessageStats>, string]>([
    [{ inbound: -1 }, 'stats.inbound'],
    [{ outbound: 1.5 }, 'stats.outbound'],
    [{ inbound: Number.NaN }, 'stats.inbound'],
    [{ firstMessageAt: new Date('nope') }, 'stats.firstMessageAt'],
    [{ lastMessageAt: '2025-11-26T10:00:00Z' as unknown as Date }, 'stats.lastMessageAt'],
    [{ lastMessageAt: at('2025-11-26T09:59:59.999Z') }, 'stats.lastMessageAt'],
    [{ firstInboundAt: null }, 'stats.firstOutboundAfterInboundAt'],
    [{ firstOutboundAfterInboundAt: at('2025-11-26T09:59:00.000Z') }, 'stats.firstOutboundAfterInboundAt'],
  ])('rejects contradictory or malformed statistics %p, naming %p', (overrides, field) => {
    expect(fieldOf(() => SessionSummary.fromStats(stats(overrides), { startedAt: STARTED, endedAt: ENDED }))).toBe(
      field,
    );
  });

  it('reads back what it stored, and refuses stored data that is not a summary', () => {
    const summary = SessionSummary.fromStats(stats(), { startedAt: STARTED, endedAt: ENDED });
    const restored = SessionSummary.fromData(JSON.parse(JSON.stringify(summary)));
    expect(restored.toJSON()).toEqual(summary.toJSON());
    expect(restored.equals(summary)).toBe(true);

    expect(fieldOf(() => SessionSummary.fromData(null))).toBe('summary');
    expect(fieldOf(() => SessionSummary.fromData({ ...summary.toJSON(), messagesTotal: -1 }))).toBe('summary');
    expect(fieldOf(() => SessionSummary.fromData({ ...summary.toJSON(), firstMessageAt: 'yesterday' }))).toBe(
      'summary',
    );
    expect(fieldOf(() => SessionSummary.fromData({ ...summary.toJSON(), durationSeconds: null }))).toBe('summary');
  });

  it('hands out copies: changing the JSON does not change the summary', () => {
    const summary = SessionSummary.fromStats(stats(), { startedAt: STARTED, endedAt: ENDED });
    const json = summary.toJSON();
    json.messagesInbound = 99;
    expect(summary.messagesInbound).toBe(4);
  });
});
