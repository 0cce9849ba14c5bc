/** What the saga itself reads of an inbound message; activities receive the whole normalised message. */
export interface InboundMessageRef {
  externalId: string;
  direction: 'inbound' | 'outbound';
  sentAt: string;
  contact: { phone: string };
  adReferral: unknown;
}

export interface ProcessInboundMessageInput<M extends InboundMessageRef = InboundMessageRef> {
  tenantId: string;
  channelId: string;
  message: M;
}

export interface ProcessInboundMessageResult {
  contactId: string;
  sessionId: string;
  messageId: string;
  contactCreated: boolean;
  sessionOpened: boolean;
  messageCreated: boolean;
  eventsPublished: number;
  debounced: boolean;
  adConversionRecorded: boolean;
  /** Optional steps that failed (they never fail the saga). */
  optionalStepFailures: string[];
}

export interface InboundActivitiesContract<M extends InboundMessageRef = InboundMessageRef> {
  findOrCreateContact(input: {
    tenantId: string;
    proposedContactId: string;
    message: M;
  }): Promise<{ contactId: string; created: boolean }>;
  findOrCreateSession(input: {
    tenantId: string;
    channelId: string;
    contactId: string;
    proposedSessionId: string;
    message: M;
  }): Promise<{ sessionId: string; opened: boolean }>;
  createMessage(input: {
    tenantId: string;
    channelId: string;
    contactId: string;
    sessionId: string;
    proposedMessageId: string;
    message: M;
  }): Promise<{ messageId: string; created: boolean }>;
  publishDomainEvents(input: { correlationId: string }): Promise<{ published: number }>;
  processMessageDebouncer(input: {
    tenantId: string;
    channelId: string;
    sessionId: string;
    messageId: string;
    message: M;
  }): Promise<{ grouped: boolean }>;
  trackAdConversion(input: {
    tenantId: string;
    channelId: string;
    contactId: string;
    sessionId: string;
    messageId: string;
    message: M;
  }): Promise<{ recorded: boolean }>;
  /** Compensations: idempotent, keyed by the ids this saga proposed, so they are safe to retry and
   *  do nothing to rows that another saga created. A session or contact that another message
   *  adopted meanwhile is kept (`keptInUse`). */
  deleteMessage(input: { tenantId: string; messageId: string }): Promise<{ deleted: boolean }>;
  closeSessionForRollback(input: {
    tenantId: string;
    sessionId: string;
  }): Promise<{ closed: boolean; keptInUse?: boolean }>;
  deleteContact(input: { tenantId: string; contactId: string }): Promise<{ deleted: boolean; keptInUse?: boolean }>;
  /** `compensated`: the undos that changed something; `kept`: those that left their row to the
   *  other messages using it. */
  recordSagaCompensated(input: {
    tenantId: string;
    sagaId: string;
    compensated: string[];
    kept?: string[];
    reason: string;
  }): Promise<void>;
}

/** The types of failure the saga's steps may raise without retry. */
export const SAGA_STEP_FAILED = 'SagaStepFailed';
/** createMessage found the contact or session it was given rolled back by another (failed) saga:
 *  the saga resolves both again. */
export const CONVERSATION_ROLLED_BACK = 'ConversationRolledBack';
