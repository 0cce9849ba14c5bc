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
  endReason: SessionEndReason | null;
}

/** A message moved the session: the deadline becomes its time plus the timeout. */
export const sessionActivitySignal = defineSignal<[SessionActivity]>('sessionActivity');
/** Ends the session now with a reason; answers once it has ended. */
export const closeSessionUpdate = defineUpdate<EndSessionOutcome, [CloseSessionRequest]>('closeSession');
export const sessionStateQuery = defineQuery<SessionLifecycleState>('state');

export interface SessionLifecycleActivitiesContract {
  /** SendSessionTimeoutWarning: sends the channel's warning text through WAHA, records the outbound
   *  message and `session.timeout_warning`. */
  sendSessionTimeoutWarning(input: { tenantId: string; sessionId: string }): Promise<{ sent: boolean; externalId: string | null; reason: string | null }>;
  /** EndSessionDueToTimeout: ends it with reason `inactivity` unless the database saw later activity. */
  endSessionDueToTimeout(input: { tenantId: string; sessionId: string; deadlineAt: string }): Promise<EndSessionOutcome>;
  /** Ends it now with the given reason (manual close, saga rollback). */
  endSession(input: { tenantId: string; sessionId: string; reason: SessionEndReason }): Promise<EndSessionOutcome>;
}
