import { Counter } from 'prom-client';
import { type SessionEndReason } from '../domain/session-end-reason';

/** How a timeout warning ended: sent, failed (WAHA refused it or every attempt failed), or skipped
 *  (the session ended or had later activity, or the channel has no warning text). */
export type SessionWarningOutcome = 'sent' | 'failed' | 'skipped';

// Default registry, module scope (one registration per process); labels are fixed sets.
const opened = new Counter({
  name: 'crm_sessions_opened_total',
  help: 'Sessions opened by live traffic (history imports excluded)',
});
const ended = new Counter({
  name: 'crm_sessions_ended_total',
  help: 'Sessions ended, by reason (inactivity, manual, saga_rollback, cleanup; import runs close theirs in bulk and are not counted)',
  labelNames: ['reason'] as const,
});
const warnings = new Counter({
  name: 'crm_session_warnings_total',
  help: 'Session timeout warnings, by outcome (sent, failed, skipped)',
  labelNames: ['outcome'] as const,
});

/** The session lifecycle's Prometheus metrics (one set per process). Counted after the commit. */
export const SessionMetrics = {
  opened(): void {
    opened.inc();
  },
  ended(reason: SessionEndReason): void {
    ended.inc({ reason });
  },
  warning(outcome: SessionWarningOutcome): void {
    warnings.inc({ outcome });
  },
};
