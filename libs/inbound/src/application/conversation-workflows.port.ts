/** The durable timers behind a conversation, as the inbound use cases need them. Implemented with
 *  Temporal in @app/workflows; the api (direct mode) and the worker (saga activities) both use it. */
export abstract class ConversationWorkflows {
  /** Makes sure the session's lifecycle workflow runs (starts it if it does not; a running or
   *  finished one is left as it is). Messages do not signal it: it reads the session's activity from
   *  the database when its warning or deadline comes (lazy deadlines). */
  abstract watchSession(input: {
    tenantId: string;
    sessionId: string;
    lastActivityAt: string;
    timeoutSeconds: number;
    warningLeadSeconds: number | null;
  }): Promise<void>;

  /** The sessions' timeout or warning lead changed in the database: their running workflows read
   *  them again now (a shorter timeout may bring the deadline before the time they sleep until).
   *  Answers how many were told; a session without a running workflow is skipped. */
  abstract sessionPolicyChanged(sessionIds: readonly string[]): Promise<{ signalled: number }>;

  /** Adds an inbound message to the session's debouncing window (signal-with-start). */
  abstract addToMessageGroup(input: {
    tenantId: string;
    channelId: string;
    sessionId: string;
    windowMs: number;
    messageId: string;
  }): Promise<void>;

  /** Ends the session through its lifecycle workflow; null when no workflow watches it. */
  abstract closeSession(
    sessionId: string,
    reason: 'manual' | 'saga_rollback' | 'cleanup',
  ): Promise<{ ended: boolean } | null>;
}
