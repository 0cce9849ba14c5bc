/** The durable timers behind a conversation, as the inbound use cases need them. Implemented with
 *  Temporal in @app/workflows; the api (direct mode) and the worker (saga activities) both use it. */
export abstract class ConversationWorkflows {
  /** Signals-with-start the session's lifecycle workflow: starts it if needed and moves its deadline. */
  abstract recordSessionActivity(input: {
    tenantId: string;
    sessionId: string;
    lastActivityAt: string;
    timeoutSeconds: number;
    warningLeadSeconds: number | null;
    activity: { at: string; direction: 'inbound' | 'outbound'; externalId: string | null };
  }): Promise<void>;

  /** Adds an inbound message to the session's debouncing window (signal-with-start). */
  abstract addToMessageGroup(input: { tenantId: string; channelId: string; sessionId: string; windowMs: number; messageId: string }): Promise<void>;

  /** Ends the session through its lifecycle workflow; null when no workflow watches it. */
  abstract closeSession(sessionId: string, reason: 'manual' | 'saga_rollback' | 'cleanup'): Promise<{ ended: boolean } | null>;
}
