import { ValidationError } from '@app/shared';
import { assertValidDate } from './session-time';

/**
 * Message statistics of one session, computed by whoever owns the messages (the session context
 * never reads them) and handed in when the session ends.
 */
export interface SessionMessageStats {
  /** Number of inbound messages (from the contact). */
  inbound: number;
  /** Number of outbound messages (from the business). */
  outbound: number;
  /** WhatsApp time of the first and last message of any direction; null when there are none. */
  firstMessageAt: Date | null;
  lastMessageAt: Date | null;
  /** WhatsApp time of the first inbound message; null when there is none. */
  firstInboundAt: Date | null;
  /** WhatsApp time of the first outbound message sent after the first inbound one (the first reply);
   *  null when nobody replied. */
  firstOutboundAfterInboundAt: Date | null;
}

/** Loads a session's message statistics (given by the caller, from the message context). */
export type SessionMessageStatsProvider = (sessionId: string) => Promise<SessionMessageStats>;

/** Statistics of a session without messages. */
export function emptySessionMessageStats(): SessionMessageStats {
  return {
    inbound: 0,
    outbound: 0,
    firstMessageAt: null,
    lastMessageAt: null,
    firstInboundAt: null,
    firstOutboundAfterInboundAt: null,
  };
}

/** The summary as stored (`sessions.summary`) and carried by `session.ended`. Part of the public
 *  event contract: add fields, never rename or remove them. */
export interface SessionSummaryData {
  messagesInbound: number;
  messagesOutbound: number;
  messagesTotal: number;
  /** ISO 8601, or null without messages. */
  firstMessageAt: string | null;
  /** ISO 8601, or null without messages. */
  lastMessageAt: string | null;
  /** startedAt to endedAt in seconds, with millisecond precision (e.g. 1800.25). */
  durationSeconds: number;
  /** First inbound message to the first reply after it, in seconds with millisecond precision;
   *  null when there was no reply. */
  firstResponseSeconds: number | null;
}

/** What a session lasted: its start and end instants. */
export interface SessionPeriod {
  startedAt: Date;
  endedAt: Date;
}

const MS_PER_SECOND = 1_000;

/** The summary of an ended session: message counts by direction, first and last message, duration
 *  and first response time. Immutable; built from statistics, or read back from storage. */
export class SessionSummary {
  private constructor(private readonly data: Readonly<SessionSummaryData>) {}

  /** Builds the summary from the caller's statistics; throws a ValidationError naming the `stats.*`
   *  field when they are malformed or contradict each other. */
  static fromStats(stats: SessionMessageStats, period: SessionPeriod): SessionSummary {
    assertStats(stats);
    assertValidDate(period.startedAt, 'startedAt');
    assertValidDate(period.endedAt, 'endedAt');
    const firstResponseMs =
      stats.firstInboundAt && stats.firstOutboundAfterInboundAt
        ? stats.firstOutboundAfterInboundAt.getTime() - stats.firstInboundAt.getTime()
        : null;
    return new SessionSummary({
      messagesInbound: stats.inbound,
      messagesOutbound: stats.outbound,
      messagesTotal: stats.inbound + stats.outbound,
      firstMessageAt: stats.firstMessageAt?.toISOString() ?? null,
      lastMessageAt: stats.lastMessageAt?.toISOString() ?? null,
      durationSeconds: Math.max(0, period.endedAt.getTime() - period.startedAt.getTime()) / MS_PER_SECOND,
      firstResponseSeconds: firstResponseMs === null ? null : firstResponseMs / MS_PER_SECOND,
    });
  }

  /** Rebuilds a stored summary; throws a ValidationError on `summary` when it is not one. */
  static fromData(raw: unknown): SessionSummary {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      throw new ValidationError('summary', 'must be an object');
    const value = raw as Record<string, unknown>;
    const count = (key: string): number => {
      const n = value[key];
      if (!Number.isInteger(n) || (n as number) < 0)
        throw new ValidationError('summary', `${key} must be a non-negative integer`);
      return n as number;
    };
    const instant = (key: string): string | null => {
      const v = value[key];
      if (v === null) return null;
      if (typeof v !== 'string' || Number.isNaN(Date.parse(v)))
        throw new ValidationError('summary', `${key} must be an ISO date or null`);
      return v;
    };
    const seconds = (key: string, nullable: boolean): number | null => {
      const v = value[key];
      if (v === null && nullable) return null;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
        throw new ValidationError('summary', `${key} must be a non-negative number`);
      return v;
    };
    return new SessionSummary({
      messagesInbound: count('messagesInbound'),
      messagesOutbound: count('messagesOutbound'),
      messagesTotal: count('messagesTotal'),
      firstMessageAt: instant('firstMessageAt'),
      lastMessageAt: instant('lastMessageAt'),
      durationSeconds: seconds('durationSeconds', false) as number,
      firstResponseSeconds: seconds('firstResponseSeconds', true),
    });
  }

  get messagesInbound(): number {
    return this.data.messagesInbound;
  }
  get messagesOutbound(): number {
    return this.data.messagesOutbound;
  }
  get messagesTotal(): number {
    return this.data.messagesTotal;
  }
  get durationSeconds(): number {
    return this.data.durationSeconds;
  }
  get firstResponseSeconds(): number | null {
    return this.data.firstResponseSeconds;
  }

  /** A plain copy, ready for JSON. */
  toJSON(): SessionSummaryData {
    return { ...this.data };
  }

  equals(other: SessionSummary): boolean {
    const a = this.data;
    const b = other.data;
    return (Object.keys(a) as (keyof SessionSummaryData)[]).every((key) => a[key] === b[key]);
  }
}

function assertStats(stats: SessionMessageStats): void {
  if (typeof stats !== 'object' || stats === null) throw new ValidationError('stats', 'must be an object');
  for (const key of ['inbound', 'outbound'] as const) {
    if (!Number.isInteger(stats[key]) || stats[key] < 0)
      throw new ValidationError(`stats.${key}`, 'must be a non-negative integer');
  }
  for (const key of ['firstMessageAt', 'lastMessageAt', 'firstInboundAt', 'firstOutboundAfterInboundAt'] as const) {
    if (stats[key] !== null) assertValidDate(stats[key], `stats.${key}`);
  }
  if (stats.firstMessageAt && stats.lastMessageAt && stats.lastMessageAt.getTime() < stats.firstMessageAt.getTime()) {
    throw new ValidationError('stats.lastMessageAt', 'must not be before firstMessageAt');
  }
  if (stats.firstOutboundAfterInboundAt !== null) {
    if (stats.firstInboundAt === null) {
      throw new ValidationError('stats.firstOutboundAfterInboundAt', 'must be null when firstInboundAt is null');
    }
    if (stats.firstOutboundAfterInboundAt.getTime() < stats.firstInboundAt.getTime()) {
      throw new ValidationError('stats.firstOutboundAfterInboundAt', 'must not be before firstInboundAt');
    }
  }
}
