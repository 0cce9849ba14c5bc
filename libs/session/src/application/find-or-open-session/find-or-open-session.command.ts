import { type SessionMessageStatsProvider } from '../../domain/session-summary.value-object';

/** Finds the contact's active session on the channel for activity at `at`, or opens one. */
export interface FindOrOpenSessionCommand {
  tenantId: string;
  contactId: string;
  channelId: string;
  /** Time of the activity (for WhatsApp traffic: the message's WhatsApp time). */
  at: Date;
  /** Timeout and warning lead of a session opened by this call (an existing session keeps its own). */
  timeoutSeconds: number;
  warningLeadSeconds?: number | null;
  /** Message statistics of an expired session this call has to end, from the message context.
   *  Without it the ended session's summary counts no messages. */
  statsProvider?: SessionMessageStatsProvider;
  /** Id for a session this call opens (see NewSession.id); an existing session keeps its own. */
  proposedSessionId?: string;
}
