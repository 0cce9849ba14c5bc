import { VersionedAggregateRoot, ValidationError, assertUuid } from '@app/shared';
import { type SessionEndReason, isIdleEndReason, parseSessionEndReason } from './session-end-reason';
import {
  SESSION_AGGREGATE_TYPE,
  type SessionEndedEventData,
  SessionEventTypes,
  type SessionFirstTouch,
  type SessionSnapshot,
  type SessionStartedEventData,
  type SessionTimeoutWarningEventData,
} from './session.events';
import { type SessionStatus } from './session-status';
import { type SessionMessageStats, SessionSummary } from './session-summary.value-object';
import { assertValidDate, earlierOf, laterOf } from './session-time';
import { assertSessionTimeouts, isSessionExpiredAt, sessionDeadline, sessionWarningAt } from './session-timeout';

/** Largest first-touch document accepted, as JSON. */
export const FIRST_TOUCH_MAX_BYTES = 16 * 1024;

/** Everything a session is made of; what the repository stores and reads back. */
export interface SessionProps {
  id: string;
  tenantId: string;
  contactId: string;
  channelId: string;
  status: SessionStatus;
  startedAt: Date;
  /** Latest inbound or outbound activity; never moves backwards. */
  lastActivityAt: Date;
  endedAt: Date | null;
  endReason: SessionEndReason | null;
  /** Inactivity timeout, fixed when the session opens. */
  timeoutSeconds: number;
  /** How long before the deadline the timeout warning is due; null for no warning. */
  warningLeadSeconds: number | null;
  /** Set when the session ends. */
  summary: SessionSummary | null;
  /** Ad first-touch data, set at most once. */
  firstTouch: SessionFirstTouch | null;
  /** When the row was created (the list order), not when the conversation started. */
  createdAt: Date;
  /** Optimistic-concurrency version of the stored row (1 on insert, +1 per stored change). */
  version: number;
}

export interface NewSession {
  /** Proposed id (a saga proposes it so its compensation can close exactly this session); random when absent. */
  id?: string;
  tenantId: string;
  contactId: string;
  channelId: string;
  /** When the conversation started: the time of the activity that opened it (WhatsApp time). */
  startedAt: Date;
  timeoutSeconds: number;
  warningLeadSeconds?: number | null;
}

/**
 * One conversation of a contact on a channel. It is active until it ends, and ends at most once
 * (an ended session is never reopened: new activity opens a new session). While active, its
 * deadline is the last activity plus the timeout; once that passes it counts as expired, and it
 * no longer takes activity (the next message opens a new session instead).
 */
export class Session extends VersionedAggregateRoot {
  protected readonly aggregateType = SESSION_AGGREGATE_TYPE;

  private constructor(
    private readonly props: SessionProps,
    persistedVersion: number,
  ) {
    super(props, persistedVersion);
  }

  /** A new active session; records `session.started` (occurring at `startedAt`). `now` is the row's
   *  creation time. */
  static open(input: NewSession, now: Date): Session {
    assertUuid(input.tenantId, 'tenantId');
    assertUuid(input.contactId, 'contactId');
    assertUuid(input.channelId, 'channelId');
    assertValidDate(input.startedAt, 'startedAt');
    assertValidDate(now, 'now');
    assertSessionTimeouts(input.timeoutSeconds, input.warningLeadSeconds);
    if (input.id !== undefined) assertUuid(input.id, 'id');
    const session = new Session(
      {
        id: input.id ?? globalThis.crypto.randomUUID(),
        tenantId: input.tenantId,
        contactId: input.contactId,
        channelId: input.channelId,
        status: 'active',
        startedAt: input.startedAt,
        lastActivityAt: input.startedAt,
        endedAt: null,
        endReason: null,
        timeoutSeconds: input.timeoutSeconds,
        warningLeadSeconds: input.warningLeadSeconds ?? null,
        summary: null,
        firstTouch: null,
        createdAt: now,
        version: 1,
      },
      0,
    );
    session.record<SessionStartedEventData>(
      SessionEventTypes.started,
      session.tenantId,
      session.id,
      {
        ...session.snapshot(),
        deadlineAt: session.deadline().toISOString(),
        warningAt: session.warningAt()?.toISOString() ?? null,
      },
      input.startedAt,
    );
    return session;
  }

  /** Rebuilds a stored session; records nothing. */
  static rehydrate(props: SessionProps): Session {
    return new Session({ ...props }, props.version);
  }

  get id(): string {
    return this.props.id;
  }
  get tenantId(): string {
    return this.props.tenantId;
  }
  get contactId(): string {
    return this.props.contactId;
  }
  get channelId(): string {
    return this.props.channelId;
  }
  get status(): SessionStatus {
    return this.props.status;
  }
  get isActive(): boolean {
    return this.props.status === 'active';
  }
  get startedAt(): Date {
    return this.props.startedAt;
  }
  get lastActivityAt(): Date {
    return this.props.lastActivityAt;
  }
  get endedAt(): Date | null {
    return this.props.endedAt;
  }
  get endReason(): SessionEndReason | null {
    return this.props.endReason;
  }
  get timeoutSeconds(): number {
    return this.props.timeoutSeconds;
  }
  get warningLeadSeconds(): number | null {
    return this.props.warningLeadSeconds;
  }
  get summary(): SessionSummary | null {
    return this.props.summary;
  }
  get firstTouch(): SessionFirstTouch | null {
    return this.props.firstTouch === null ? null : structuredClone(this.props.firstTouch);
  }
  get createdAt(): Date {
    return this.props.createdAt;
  }

  /** Last activity + timeout: when the session ends by inactivity. */
  deadline(): Date {
    return sessionDeadline(this.props.lastActivityAt, this.props.timeoutSeconds);
  }

  /** When the timeout warning is due (deadline - lead); null without a warning lead. */
  warningAt(): Date | null {
    return sessionWarningAt(this.props.lastActivityAt, this.props.timeoutSeconds, this.props.warningLeadSeconds);
  }

  /** True when `now` is after the deadline. Says nothing about the status: an expired session may
   *  still be active until something ends it. */
  isExpiredAt(now: Date): boolean {
    return isSessionExpiredAt(this.props.lastActivityAt, this.props.timeoutSeconds, now);
  }

  /** True when `at` is at or after the deadline: the whole timeout passed without activity. (A timer
   *  firing exactly at the deadline may end the session; new activity at that instant still counts.) */
  reachedDeadlineAt(at: Date): boolean {
    return at.getTime() >= this.deadline().getTime();
  }

  /**
   * Records inbound or outbound activity at `at`, moving the last activity (and so the deadline)
   * forward. Returns whether anything changed. No-op (false) when the session has ended, when `at`
   * is not after the current last activity (out-of-order or repeated activity), and when `at` is
   * after the deadline: an expired session is not revived, the activity belongs to a new session.
   * Raises no event.
   */
  recordActivity(at: Date): boolean {
    assertValidDate(at, 'at');
    if (!this.isActive) return false;
    if (at.getTime() <= this.props.lastActivityAt.getTime()) return false;
    if (this.isExpiredAt(at)) return false;
    this.props.lastActivityAt = at;
    this.bumpVersion();
    return true;
  }

  /**
   * Ends the session for `reason` at `at`, with the summary built from `stats`, and records
   * `session.ended` (occurring at the end time). The end time is never before the last activity (a
   * session cannot end before something that happened in it): an earlier `at` is moved up to it.
   * For the idle reasons (`inactivity`, `cleanup`) it is never after the deadline either: whenever
   * the ending code runs, the conversation ended when its timeout ran out, so the idle tail is not
   * counted in the duration.
   * Ending an ended session changes nothing and returns false; it is not an error.
   */
  end(reason: SessionEndReason, at: Date, stats: SessionMessageStats): boolean {
    parseSessionEndReason(reason);
    assertValidDate(at, 'at');
    if (!this.isActive) return false;
    const notBeforeActivity = laterOf(at, this.props.lastActivityAt);
    const endedAt = isIdleEndReason(reason) ? earlierOf(notBeforeActivity, this.deadline()) : notBeforeActivity;
    const summary = SessionSummary.fromStats(stats, { startedAt: this.props.startedAt, endedAt });
    this.props.status = 'ended';
    this.props.endedAt = endedAt;
    this.props.endReason = reason;
    this.props.summary = summary;
    this.bumpVersion();
    this.record<SessionEndedEventData>(
      SessionEventTypes.ended,
      this.tenantId,
      this.id,
      { ...this.snapshot(), reason, endedAt: endedAt.toISOString(), summary: summary.toJSON() },
      endedAt,
    );
    return true;
  }

  /**
   * Records `session.timeout_warning` at `at`: the session ends at its deadline unless there is
   * activity. Only an active session that has not expired at `at` is warned; otherwise nothing is
   * recorded and it returns false. Changes no state (whoever schedules warnings decides how often).
   */
  recordTimeoutWarning(at: Date): boolean {
    assertValidDate(at, 'at');
    if (!this.isActive || this.isExpiredAt(at)) return false;
    const deadline = this.deadline();
    this.record<SessionTimeoutWarningEventData>(
      SessionEventTypes.timeoutWarning,
      this.tenantId,
      this.id,
      {
        ...this.snapshot(),
        warnedAt: at.toISOString(),
        deadlineAt: deadline.toISOString(),
        secondsRemaining: Math.max(0, deadline.getTime() - at.getTime()) / 1_000,
      },
      at,
    );
    return true;
  }

  /**
   * Stores the ad first-touch data of the session, only when it has none yet (the first touch wins;
   * later calls return false and change nothing). Accepted in any status. `data` must be a JSON
   * object of at most 16 KiB; it is stored as its JSON form (undefined values dropped, dates as strings).
   */
  setFirstTouch(data: SessionFirstTouch): boolean {
    const normalised = normaliseFirstTouch(data);
    if (this.props.firstTouch !== null) return false;
    this.props.firstTouch = normalised;
    this.bumpVersion();
    return true;
  }

  /** The fields every session event carries. */
  snapshot(): SessionSnapshot {
    return {
      id: this.props.id,
      contactId: this.props.contactId,
      channelId: this.props.channelId,
      status: this.props.status,
      startedAt: this.props.startedAt.toISOString(),
      lastActivityAt: this.props.lastActivityAt.toISOString(),
      timeoutSeconds: this.props.timeoutSeconds,
      warningLeadSeconds: this.props.warningLeadSeconds,
      firstTouch: this.firstTouch,
    };
  }

  /** A copy of the full state, for the persistence mapper. */
  toProps(): SessionProps {
    return { ...this.props, firstTouch: this.firstTouch };
  }
}

function normaliseFirstTouch(data: unknown): SessionFirstTouch {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ValidationError('firstTouch', 'must be a JSON object');
  }
  let json: string;
  try {
    json = JSON.stringify(data);
  } catch {
    throw new ValidationError('firstTouch', 'must be serialisable as JSON');
  }
  if (new TextEncoder().encode(json).length > FIRST_TOUCH_MAX_BYTES) {
    throw new ValidationError('firstTouch', `must be at most ${FIRST_TOUCH_MAX_BYTES} bytes as JSON`);
  }
  // JSON cannot hold NUL in Postgres jsonb text values.
  if (json.includes('\\u0000')) throw new ValidationError('firstTouch', 'must not contain NUL characters');
  return JSON.parse(json) as SessionFirstTouch;
}
