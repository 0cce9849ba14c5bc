import { type SessionEndReason } from '../domain/session-end-reason';
import { type Session } from '../domain/session.aggregate';
import { type SessionFirstTouch } from '../domain/session.events';
import { type SessionStatus } from '../domain/session-status';
import { type SessionSummaryData } from '../domain/session-summary.value-object';

/** A session as handlers return it: plain and serialisable (dates are ISO 8601 strings). */
export interface SessionView {
  id: string;
  contactId: string;
  channelId: string;
  status: SessionStatus;
  startedAt: string;
  lastActivityAt: string;
  endedAt: string | null;
  endReason: SessionEndReason | null;
  timeoutSeconds: number;
  warningLeadSeconds: number | null;
  /** When an active session ends unless there is more activity (last activity + timeout); null once ended. */
  deadlineAt: string | null;
  /** When the timeout warning of an active session is due (deadline - lead); null without a lead or once ended. */
  warningAt: string | null;
  /** Set when the session ends. */
  summary: SessionSummaryData | null;
  firstTouch: SessionFirstTouch | null;
  createdAt: string;
}

export function toSessionView(session: Session): SessionView {
  const active = session.isActive;
  return {
    id: session.id,
    contactId: session.contactId,
    channelId: session.channelId,
    status: session.status,
    startedAt: session.startedAt.toISOString(),
    lastActivityAt: session.lastActivityAt.toISOString(),
    endedAt: session.endedAt?.toISOString() ?? null,
    endReason: session.endReason,
    timeoutSeconds: session.timeoutSeconds,
    warningLeadSeconds: session.warningLeadSeconds,
    deadlineAt: active ? session.deadline().toISOString() : null,
    warningAt: active ? (session.warningAt()?.toISOString() ?? null) : null,
    summary: session.summary?.toJSON() ?? null,
    firstTouch: session.firstTouch,
    createdAt: session.createdAt.toISOString(),
  };
}
