import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

export type SessionEndReason = 'inactivity' | 'manual' | 'saga_rollback' | 'cleanup' | 'import';

export interface SessionLifecycleInput {
  tenantId: string;
  sessionId: string;
  /** ISO time of the last message; the deadline is this plus the timeout. */
  lastActivityAt: string;
  timeoutSeconds: number;
  /** Warn this long before the deadline; null for no warning. */
  warningLeadSeconds: number | null;
  /** Carried across continue-as-new: the idle period (its lastActivityAt) already warned. */
  warnedForActivityAt?: string | null;
  /** Carried across continue-as-new: external ids of messages this workflow sent itself (warnings). */
  systemMessageIds?: string[];
  /** Carried across continue-as-new: signals received so far. */
  signalsReceived?: number;
  /** Carried across continue-as-new: wake-ups that read the session so far. */
  wakeUps?: number;
}

export interface SessionActivity {
  /** WhatsApp time of the message. */
  at: string;
  direction: 'inbound' | 'outbound';
  externalId: string | null;
}

export interface CloseSessionRequest {
  reason: Exclude<SessionEndReason, 'inactivity' | 'import'>;
}

export interface EndSessionOutcome {
  /** False when the session had already ended (idempotent). */
  ended: boolean;
  status: 'active' | 'ended';
  endReason: SessionEndReason | null;
  endedAt: string | null;
  /** Set when the database saw later activity than the workflow (a signal still on its way). */
  lastActivityAt: string | null;
  /** The session's timeout and warning lead as stored (a channel policy change may have moved them);
   *  absent in results recorded before the `session-lazy-deadlines` patch. */
  timeoutSeconds?: number;
  warningLeadSeconds?: number | null;
}

/** A session's timing as the database holds it, read when the workflow wakes (lazy deadlines). */
export interface SessionTimes {
  /** `missing`: the row is gone (its contact was erased); nothing is left to end. */
  status: 'active' | 'ended' | 'missing';
  /** Last customer or agent activity (never our own warnings or their echoes). */
  lastActivityAt: string;
  timeoutSeconds: number;
  warningLeadSeconds: number | null;
  endReason: SessionEndReason | null;
  endedAt: string | null;
}

export interface SessionLifecycleState {
  sessionId: string;
  status: 'active' | 'ended';
  lastActivityAt: string;
  deadlineAt: string;
  warningAt: string | null;
  warningSentForCurrentPeriod: boolean;
  warningsSent: number;
  signalsReceived: number;
  /** Times this run woke and read the session from the database (lazy deadlines). */
  wakeUps: number;
  endReason: SessionEndReason | null;
}

/** A message moved the session: the deadline becomes its time plus the timeout. Only runs started
 *  before the `session-lazy-deadlines` patch depend on it (new runs read the activity from the
 *  database when they wake); still handled, for api pods of an older release during a rollout. */
export const sessionActivitySignal = defineSignal<[SessionActivity]>('sessionActivity');
/** The session's timeout or warning lead changed in the database (a channel policy change): read it
 *  again now, since the new deadline may come before the time the run sleeps until. */
export const sessionPolicyChangedSignal = defineSignal('sessionPolicyChanged');
/** Ends the session now with a reason; answers once it has ended. */
export const closeSessionUpdate = defineUpdate<EndSessionOutcome, [CloseSessionRequest]>('closeSession');
export const sessionStateQuery = defineQuery<SessionLifecycleState>('state');

export interface SendTimeoutWarningInput {
  tenantId: string;
  sessionId: string;
  /** The idle period being warned (the workflow's last activity). When the database shows later
   *  activity (a customer message whose signal is still on its way), nothing is sent. Absent in runs
   *  from before the `warning-failures-recorded` patch. */
  lastActivityAt?: string;
  /** Pre-generated raw WAHA message id (`3EB0…`), chosen by the workflow so that a failed warning
   *  can be recorded under it. Absent in older runs (the activity derives one). */
  messageRawId?: string;
}

export interface SendTimeoutWarningResult {
  sent: boolean;
  externalId: string | null;
  reason: string | null;
  /** Set when the warning was skipped because the database saw later activity: the new last activity. */
  laterActivityAt?: string | null;
}

export interface SessionLifecycleActivitiesContract {
  /** SendSessionTimeoutWarning: sends the channel's warning text through WAHA, records the outbound
   *  message and `session.timeout_warning`. A retried attempt asks WAHA whether an earlier one got
   *  through before it sends again. */
  sendSessionTimeoutWarning(input: SendTimeoutWarningInput): Promise<SendTimeoutWarningResult>;
  /** A warning that could not be sent (WAHA refused it, or gave no answer before the deadline):
   *  its recorded message is marked `failed`. */
  recordTimeoutWarningFailed(input: {
    tenantId: string;
    sessionId: string;
    messageRawId: string;
  }): Promise<{ marked: boolean }>;
  /** EndSessionDueToTimeout: ends it with reason `inactivity` unless the database saw later activity. */
  endSessionDueToTimeout(input: {
    tenantId: string;
    sessionId: string;
    deadlineAt: string;
  }): Promise<EndSessionOutcome>;
  /** The session's timing as stored (run as a local activity when the workflow wakes). */
  readSessionTimes(input: { tenantId: string; sessionId: string }): Promise<SessionTimes>;
  /** Ends it now with the given reason (manual close, saga rollback). */
  endSession(input: { tenantId: string; sessionId: string; reason: SessionEndReason }): Promise<EndSessionOutcome>;
}
