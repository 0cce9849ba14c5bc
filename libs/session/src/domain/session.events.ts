import { type SessionEndReason } from './session-end-reason';
import { type SessionStatus } from './session-status';
import { type SessionSummaryData } from './session-summary.value-object';

/** Outbox `type`s raised by the Session aggregate (`aggregateType` is `session`). */
export const SessionEventTypes = {
  started: 'session.started',
  ended: 'session.ended',
  timeoutWarning: 'session.timeout_warning',
} as const;
export type SessionEventType = (typeof SessionEventTypes)[keyof typeof SessionEventTypes];

export const SESSION_AGGREGATE_TYPE = 'session';

/** Ad first-touch data of a session (the referral of the ad that started the conversation). */
export type SessionFirstTouch = Record<string, unknown>;

/** The session as every session event carries it. Part of the public event contract: add fields,
 *  never rename or remove them. Dates are ISO 8601. */
export interface SessionSnapshot {
  id: string;
  contactId: string;
  channelId: string;
  status: SessionStatus;
  startedAt: string;
  lastActivityAt: string;
  timeoutSeconds: number;
  warningLeadSeconds: number | null;
  firstTouch: SessionFirstTouch | null;
}

/** `data` of `session.started`. */
export interface SessionStartedEventData extends SessionSnapshot {
  /** When the session ends unless there is more activity. */
  deadlineAt: string;
  /** When the timeout warning is due; null without a warning lead. */
  warningAt: string | null;
}

/** `data` of `session.ended`: the snapshot after the end, why and when it ended, and its summary. */
export interface SessionEndedEventData extends SessionSnapshot {
  reason: SessionEndReason;
  endedAt: string;
  summary: SessionSummaryData;
}

/** `data` of `session.timeout_warning`: the session will end at `deadlineAt` unless there is activity. */
export interface SessionTimeoutWarningEventData extends SessionSnapshot {
  warnedAt: string;
  deadlineAt: string;
  /** Seconds from `warnedAt` to `deadlineAt` (millisecond precision, never negative). */
  secondsRemaining: number;
}
