import { Injectable } from '@nestjs/common';
import { GetSessionPolicyHandler, type SessionPolicy } from '@app/channel';
import {
  ContactNotFoundError,
  DeleteContactHandler,
  FindOrCreateContactByPhoneHandler,
  GetContactHandler,
  SetContactFirstTouchHandler,
} from '@app/contact';
import {
  AdoptWahaMessageIdHandler,
  CompleteMessageGroupHandler,
  CreateMessageHandler,
  DeleteMessageHandler,
  FindMessageByExternalIdHandler,
  GetSessionMessageStatsHandler,
  ListMessagesHandler,
  type MessageMetadataInput,
  RecordAdConversionHandler,
} from '@app/message';
import {
  EndSessionHandler,
  FindOrOpenSessionHandler,
  GetSessionHandler,
  ListSessionsHandler,
  type SessionView,
  SetSessionFirstTouchHandler,
  SessionNotFoundError,
} from '@app/session';
import { UnitOfWork } from '@app/shared';
import { type InboundMessage } from '../domain/inbound-message';
import { ConversationRolledBackError } from '../domain/inbound.errors';
import { ConversationWorkflows } from './conversation-workflows.port';

/** What a compensation did with the row it was given: undid it, kept it because other messages use
 *  it, or found nothing of the failed saga's to undo (never created, or undone otherwise already). */
export type RollbackOutcome = 'undone' | 'kept_in_use' | 'nothing_to_undo';

/**
 * The steps that turn one WhatsApp message into a contact, a session and a message. The saga runs
 * each as its own activity; direct mode runs them in one transaction. Both call these methods, so the
 * two modes cannot drift apart in what they write.
 */
@Injectable()
export class InboundConversationSteps {
  constructor(
    private readonly contacts: FindOrCreateContactByPhoneHandler,
    private readonly getContact: GetContactHandler,
    private readonly deleteContactHandler: DeleteContactHandler,
    private readonly contactFirstTouch: SetContactFirstTouchHandler,
    private readonly policies: GetSessionPolicyHandler,
    private readonly sessions: FindOrOpenSessionHandler,
    private readonly getSession: GetSessionHandler,
    private readonly endSession: EndSessionHandler,
    private readonly sessionFirstTouch: SetSessionFirstTouchHandler,
    private readonly listSessions: ListSessionsHandler,
    private readonly messages: CreateMessageHandler,
    private readonly deleteMessageHandler: DeleteMessageHandler,
    private readonly recorded: FindMessageByExternalIdHandler,
    private readonly listMessages: ListMessagesHandler,
    private readonly echoes: AdoptWahaMessageIdHandler,
    private readonly stats: GetSessionMessageStatsHandler,
    private readonly adConversions: RecordAdConversionHandler,
    private readonly groups: CompleteMessageGroupHandler,
    private readonly workflows: ConversationWorkflows,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  policy(tenantId: string, channelId: string): Promise<SessionPolicy> {
    return this.policies.execute({ tenantId, channelId });
  }

  async findOrCreateContact(input: {
    tenantId: string;
    proposedContactId?: string;
    message: InboundMessage;
  }): Promise<{ contactId: string; created: boolean }> {
    const { contact } = input.message;
    const result = await this.contacts.execute({
      tenantId: input.tenantId,
      id: input.proposedContactId,
      phone: contact.phone,
      // Group participants may be hidden (@lid); the contact's WhatsApp id is its phone's.
      whatsappId: `${contact.phone}@c.us`,
      name: contact.name,
      source: 'whatsapp',
    });
    return { contactId: result.contact.id, created: result.created };
  }

  async findOrOpenSession(input: {
    tenantId: string;
    channelId: string;
    contactId: string;
    proposedSessionId?: string;
    message: InboundMessage;
    /** The channel's policy when the caller has it (or loads it once for several steps). */
    loadPolicy?: () => Promise<SessionPolicy>;
  }): Promise<{ session: SessionView; opened: boolean; alreadyRecorded: boolean }> {
    // A message we recorded already (our own timeout warning, recorded before it was sent; a
    // redelivery) is not new activity: it keeps its session and moves no deadline.
    const existing =
      (await this.recorded.execute({
        tenantId: input.tenantId,
        channelId: input.channelId,
        externalId: input.message.externalId,
      })) ?? (await this.ownWarningEcho(input.tenantId, input.channelId, input.message));
    if (existing) {
      const session = await this.getSession.execute({ tenantId: input.tenantId, sessionId: existing.sessionId });
      return { session, opened: false, alreadyRecorded: true };
    }
    const policy = await (input.loadPolicy?.() ?? this.policy(input.tenantId, input.channelId));
    const result = await this.sessions.execute({
      tenantId: input.tenantId,
      contactId: input.contactId,
      channelId: input.channelId,
      at: new Date(input.message.sentAt),
      timeoutSeconds: policy.timeoutSeconds,
      warningLeadSeconds: policy.warningLeadSeconds,
      statsProvider: (sessionId) => this.stats.execute({ tenantId: input.tenantId, sessionId }),
      proposedSessionId: input.proposedSessionId,
    });
    return { session: result.session, opened: result.opened, alreadyRecorded: false };
  }

  /**
   * The echo of our own warning from an engine that ignored its pre-generated id: another id, and it
   * may arrive before sendText answers. A message we sent through WAHA (fromMe, source `api`) with
   * the text of an automated message still waiting for its WAHA id in that chat is taken for it: the
   * placeholder takes the echo's id, so the echo is recorded already and moves no deadline.
   */
  private async ownWarningEcho(tenantId: string, channelId: string, message: InboundMessage) {
    if (message.direction !== 'outbound' || message.source !== 'api' || !message.text) return null;
    const adopted = await this.echoes.execute({
      tenantId,
      channelId,
      externalId: message.externalId,
      text: message.text,
    });
    return adopted?.message ?? null;
  }

  /** Makes sure the session's lifecycle workflow runs. Called for a session this message opened,
   *  and for a redelivery (it may retry a request whose start failed after its transaction
   *  committed); a message on a watched session costs no Temporal call, since the workflow reads
   *  the activity from the database when it wakes. */
  async watchSession(tenantId: string, session: SessionView): Promise<void> {
    await this.workflows.watchSession({
      tenantId,
      sessionId: session.id,
      lastActivityAt: session.lastActivityAt,
      timeoutSeconds: session.timeoutSeconds,
      warningLeadSeconds: session.warningLeadSeconds,
    });
  }

  /**
   * Stores the message under the contact and session the earlier steps resolved. Both rows stay
   * locked until it is stored, so a concurrent saga rollback of either waits and then sees the
   * message (and keeps them); ConversationRolledBackError when a rollback came first.
   */
  async createMessage(input: {
    tenantId: string;
    channelId: string;
    contactId: string;
    sessionId: string;
    proposedMessageId?: string;
    message: InboundMessage;
  }): Promise<{ messageId: string; created: boolean }> {
    const m = input.message;
    return this.unitOfWork.run(async () => {
      const rolledBack = await this.lockConversation(input.tenantId, input.contactId, input.sessionId);
      if (rolledBack) {
        // A redelivery of a message stored before its contact went is answered as before.
        const stored = await this.recorded.execute({
          tenantId: input.tenantId,
          channelId: input.channelId,
          externalId: m.externalId,
        });
        if (stored) return { messageId: stored.id, created: false };
        throw rolledBack;
      }
      const result = await this.messages.execute({
        id: input.proposedMessageId,
        tenantId: input.tenantId,
        channelId: input.channelId,
        contactId: input.contactId,
        sessionId: input.sessionId,
        ...messageContentOf(m),
      });
      return { messageId: result.message.id, created: result.created };
    });
  }

  /** Locks the session, then the contact (sessions before contacts, as the session step already
   *  holds its session), and answers the error to raise when a rollback took either first. */
  private async lockConversation(
    tenantId: string,
    contactId: string,
    sessionId: string,
  ): Promise<ConversationRolledBackError | null> {
    const session = await this.getSession.execute({ tenantId, sessionId, forUpdate: true });
    if (session.endReason === 'saga_rollback') return new ConversationRolledBackError('session', sessionId);
    try {
      await this.getContact.execute({ tenantId, id: contactId, forUpdate: true });
    } catch (err) {
      if (err instanceof ContactNotFoundError) return new ConversationRolledBackError('contact', contactId);
      throw err;
    }
    return null;
  }

  /** Records the click-to-WhatsApp conversion and copies it as first touch to contact and session. */
  async trackAdConversion(input: {
    tenantId: string;
    channelId: string;
    contactId: string;
    sessionId: string;
    messageId: string;
    message: InboundMessage;
  }): Promise<{ recorded: boolean }> {
    const referral = input.message.adReferral;
    if (!referral) return { recorded: false };
    const { created } = await this.adConversions.execute({
      tenantId: input.tenantId,
      messageId: input.messageId,
      contactId: input.contactId,
      sessionId: input.sessionId,
      channelId: input.channelId,
      referral,
    });
    const firstTouch = { ...firstTouchOf(referral), messageId: input.messageId, at: input.message.sentAt };
    await this.contactFirstTouch.execute({ tenantId: input.tenantId, contactId: input.contactId, firstTouch });
    await this.sessionFirstTouch.execute({ tenantId: input.tenantId, sessionId: input.sessionId, firstTouch });
    return { recorded: created };
  }

  /** Adds an inbound message to its session's debouncing window, when the channel has one. */
  async debounce(
    input: { tenantId: string; channelId: string; sessionId: string; messageId: string },
    loadPolicy: () => Promise<SessionPolicy> = () => this.policy(input.tenantId, input.channelId),
  ): Promise<{ grouped: boolean }> {
    const { debounceWindowMs } = await loadPolicy();
    if (!debounceWindowMs) return { grouped: false };
    await this.workflows.addToMessageGroup({ ...input, windowMs: debounceWindowMs });
    return { grouped: true };
  }

  completeMessageGroup(input: {
    tenantId: string;
    channelId: string;
    sessionId: string;
    groupId: string;
    messageIds: string[];
  }) {
    return this.groups.execute({ ...input, at: new Date() });
  }

  // Compensations: idempotent and keyed by the id the saga proposed. A contact or session another
  // message adopted meanwhile is kept: the check runs under the row lock createMessage also takes.

  async deleteMessage(tenantId: string, messageId: string): Promise<boolean> {
    return this.deleteMessageHandler.execute({ tenantId, messageId, reason: 'saga_rollback' });
  }

  /** Ends the session (reason `saga_rollback`) unless it has messages, then stops its lifecycle
   *  workflow (which finds it ended). Ended directly, not through that workflow: the message check
   *  and the end must be one locked transaction, and a workflow asked to end a session that then
   *  stays active would stop watching it. */
  async closeSessionForRollback(tenantId: string, sessionId: string): Promise<RollbackOutcome> {
    let session: SessionView;
    try {
      ({ session } = await this.endSession.execute({
        tenantId,
        sessionId,
        reason: 'saga_rollback',
        at: new Date(),
        statsProvider: () => this.stats.execute({ tenantId, sessionId }),
      }));
    } catch (err) {
      if (err instanceof SessionNotFoundError) return 'nothing_to_undo';
      throw err;
    }
    if (session.status === 'active') return 'kept_in_use';
    // Ended otherwise before (inactivity, manual): nothing of the saga's left to undo.
    if (session.endReason !== 'saga_rollback') return 'nothing_to_undo';
    // Ended by this rollback, now or in an earlier attempt whose reply was lost (only the saga that
    // proposed the id rolls it back): still undone, and the workflow is told again.
    await this.workflows.closeSession(sessionId, 'saga_rollback');
    return 'undone';
  }

  /** Soft-deletes the contact unless a message or an active session refers to it. */
  async deleteContactForRollback(tenantId: string, contactId: string): Promise<RollbackOutcome> {
    try {
      const { deleted } = await this.deleteContactHandler.execute({
        tenantId,
        id: contactId,
        keepIfInUse: () => this.contactInUse(tenantId, contactId),
      });
      return deleted ? 'undone' : 'kept_in_use';
    } catch (err) {
      if (err instanceof ContactNotFoundError) return 'nothing_to_undo';
      throw err;
    }
  }

  /** A message, or an active session (one the saga could not roll back, or another message opened:
   *  its message may be on the way), refers to the contact. Ended sessions without messages do not
   *  count: they are rolled back or never used. */
  private async contactInUse(tenantId: string, contactId: string): Promise<boolean> {
    const messages = await this.listMessages.execute({ tenantId, contactId, limit: 1 });
    if (messages.data.length > 0) return true;
    const sessions = await this.listSessions.execute({ tenantId, contactId, status: 'active', limit: 1 });
    return sessions.data.length > 0;
  }

  /** Manual close (REST): through the lifecycle workflow when one watches the session, so it stops
   *  too; directly otherwise. Tenancy is checked first: another tenant's session is a 404. */
  async closeSessionManually(tenantId: string, sessionId: string): Promise<SessionView> {
    const session = await this.getSession.execute({ tenantId, sessionId });
    if (session.status === 'active') {
      const outcome = await this.workflows.closeSession(sessionId, 'manual');
      if (!outcome) await this.endManually(tenantId, sessionId);
    }
    return this.getSession.execute({ tenantId, sessionId });
  }

  private async endManually(tenantId: string, sessionId: string): Promise<void> {
    const statsProvider = () => this.stats.execute({ tenantId, sessionId });
    await this.endSession.execute({ tenantId, sessionId, reason: 'manual', at: new Date(), statsProvider });
  }
}

/** What a WhatsApp message stores, whichever path brings it (live webhook or history import). */
export function messageContentOf(m: InboundMessage) {
  return {
    direction: m.direction,
    externalId: m.externalId,
    type: m.type,
    text: m.text,
    media: m.media ? { ...m.media, caption: m.media && m.text ? m.text : null } : null,
    ackLevel: m.direction === 'outbound' ? m.ack : null,
    sentAt: new Date(m.sentAt),
    metadata: metadataOf(m),
  };
}

function metadataOf(m: InboundMessage): MessageMetadataInput {
  const latitude = m.location ? Number(m.location.latitude) : NaN;
  const longitude = m.location ? Number(m.location.longitude) : NaN;
  return {
    source: m.source,
    replyTo: m.replyTo ? { id: m.replyTo.id, body: m.replyTo.body, participant: null } : null,
    location:
      m.location && Number.isFinite(latitude) && Number.isFinite(longitude)
        ? { latitude, longitude, name: m.location.name, address: m.location.address }
        : null,
    vCards: m.vCards.length > 0 ? m.vCards : null,
    adReferral: m.adReferral ? firstTouchOf(m.adReferral) : null,
    groupChatId: m.group?.chatId ?? null,
    participant: m.group?.participant ?? null,
  };
}

function firstTouchOf(referral: NonNullable<InboundMessage['adReferral']>) {
  const { raw: _raw, ...fields } = referral;
  return fields;
}
