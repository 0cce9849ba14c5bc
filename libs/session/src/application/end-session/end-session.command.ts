import { type SessionEndReason } from '../../domain/session-end-reason';
import { type SessionMessageStats, type SessionMessageStatsProvider } from '../../domain/session-summary.value-object';

interface EndSessionFields {
  tenantId: string;
  sessionId: string;
  reason: SessionEndReason;
  /** When the session ended. Moved up to the last activity if earlier; for `inactivity` and `cleanup`
   *  moved back to the deadline if later (an idle session ended when its timeout ran out). */
  at: Date;
  /** End only if the session reached its deadline at `at` (no activity for the whole timeout). When
   *  activity moved the deadline meanwhile, the session stays active and the call answers
   *  `ended: false` with the active session. For timers and sweeps whose idea of the deadline may be
   *  stale (the lifecycle workflow, the cleanup schedule). Default false. */
  onlyIfIdle?: boolean;
}

/** The summary's message statistics (from the message context): given, or fetched by
 *  `statsProvider` under the row lock and only when the call really ends the session. */
export type EndSessionCommand = EndSessionFields &
  (
    | { stats: SessionMessageStats; statsProvider?: never }
    | { statsProvider: SessionMessageStatsProvider; stats?: never }
  );
