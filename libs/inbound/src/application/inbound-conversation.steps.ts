import { Injectable } from '@nestjs/common';
import { GetSessionPolicyHandler, type SessionPolicy } from '@app/channel';
import { DeleteContactHandler, FindOrCreateContactByPhoneHandler, SetContactFirstTouchHandler, ContactNotFoundError } from '@app/contact';
import {
  AdoptWahaMessageIdHandler,
  CompleteMessageGroupHandler,
  CreateMessageHandler,
  DeleteMessageHandler,
  FindMessageByExternalIdHandler,
  GetSessionMessageStatsHandler,
  type MessageMetadataInput,
  RecordAdConversionHandler,
} from '@app/message';
import {
  EndSessionHandler,
  FindOrOpenSessionHandler,
  GetSessionHandler,
  type SessionView,
  SetSessionFirstTouchHandler,
  SessionNotFoundError,
} from '@app/session';
import { type InboundMessage } from '../domain/inbound-message';
import { ConversationWorkflows } from './conversation-workflows.port';

/**
 * The steps that turn one WhatsApp message into a contact, a session and a message. The saga runs
 * each as its own activity; direct mode runs them in one transaction. Both call these methods, so the
 * two modes cannot drift apart in what they write.
 */
@Injectable()
export class InboundConversationSteps {
  constructor(
    private readonly contacts: FindOrCreateContactByPhoneHandler,
    private readonly deleteContactHandler: DeleteContactHandler,
    private readonly contactFirstTouch: SetContactFirstTouchHandler,
    private readonly policies: GetSessionPolicyHandler,
    private readonly sessions: FindOrOpenSessionHandler,
    private readonly getSession: GetSessionHandler,
    private readonly endSession: EndSessionHandler,
    private readonly sessionFirstTouch: SetSessionFirstTouchHandler,
    private readonly messages: CreateMessageHandler,
    private readonly deleteMessageHandler: DeleteMessageHandler,
    private readonly recorded: FindMessageByExternalIdHandler,
    private readonly echoes: AdoptWahaMessageIdHandler,
    private readonly stats: GetSessionMessageStatsHandler,
    private readonly adConversions: RecordAdConversionHandler,
    private readonly groups: CompleteMessageGroupHandler,
    private readonly workflows: ConversationWorkflows,
  ) {}

  policy(tenantId: string, channelId: string): Promise<SessionPolicy> {
    return this.policies.execute({ tenantId, channelId });
  }

  async findOrCreateContact(input: { tenantId: string; proposedContactId?: string; message: InboundMessage }): Promise<{ contactId: string; created: boolean }> {
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
    const existing = (await this.recorded.execute({ tenantId: input.tenantId, channelId: input.channelId, externalId: input.message.externalId }))
      ?? (await this.ownWarningEcho(input.tenantId, input.channelId, input.message));
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
    const adopted = await this.echoes.execute({ tenantId, channelId, externalId: message.externalId, text: message.text });
    return adopted?.message ?? null;
  }

  /** Starts the session's lifecycle workflow if needed and moves its deadline (signal-with-start). */
  async notifySessionActivity(tenantId: string, session: SessionView, message: InboundMessage): Promise<void> {
    await this.workflows.recordSessionActivity({
      tenantId,
      sessionId: session.id,
      lastActivityAt: session.lastActivityAt,
      timeoutSeconds: session.timeoutSeconds,
      warningLeadSeconds: session.warningLeadSeconds,
      activity: { at: message.sentAt, direction: message.direction, externalId: message.externalId },
    });
  }

  async createMessage(input: {
    tenantId: string;
    channelId: string;
    contactId: string;
    sessionId: string;
    proposedMessageId?: string;
    message: InboundMessage;
  }): Promise<{ messageId: string; created: boolean }> {
    const m = input.message;
    const result = await this.messages.execute({
      id: input.proposedMessageId,
      tenantId: input.tenantId,
      channelId: input.channelId,
      contactId: input.contactId,
      sessionId: input.sessionId,
      direction: m.direction,
      externalId: m.externalId,
      type: m.type,
      text: m.text,
      media: m.media ? { ...m.media, caption: m.media && m.text ? m.text : null } : null,
      ackLevel: m.direction === 'outbound' ? m.ack : null,
      sentAt: new Date(m.sentAt),
      metadata: metadataOf(m),
    });
    return { messageId: result.message.id, created: result.created };
  }

  /** Records the click-to-WhatsApp conversion and copies it as first touch to contact and session. */
  async trackAdConversion(input: { tenantId: string; channelId: string; contactId: string; sessionId: string; messageId: string; message: InboundMessage }): Promise<{ recorded: boolean }> {
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

  completeMessageGroup(input: { tenantId: string; channelId: string; sessionId: string; groupId: string; messageIds: string[] }) {
    return this.groups.execute({ ...input, at: new Date() });
  }

  // Compensations: idempotent and keyed by the id the saga proposed.

  async deleteMessage(tenantId: string, messageId: string): Promise<boolean> {
    return this.deleteMessageHandler.execute({ tenantId, messageId, reason: 'saga_rollback' });
  }

  async endSessionForRollback(tenantId: string, sessionId: string): Promise<boolean> {
    try {
      return await this.endDirectly(tenantId, sessionId, 'saga_rollback');
    } catch (err) {
      if (err instanceof SessionNotFoundError) return false;
      throw err;
    }
  }

  /** Manual close (REST): through the lifecycle workflow when one watches the session, so it stops
   *  too; directly otherwise. Tenancy is checked first: another tenant's session is a 404. */
  async closeSessionManually(tenantId: string, sessionId: string): Promise<SessionView> {
    const session = await this.getSession.execute({ tenantId, sessionId });
    if (session.status === 'active') {
      const outcome = await this.workflows.closeSession(sessionId, 'manual');
      if (!outcome) await this.endDirectly(tenantId, sessionId, 'manual');
    }
    return this.getSession.execute({ tenantId, sessionId });
  }

  private async endDirectly(tenantId: string, sessionId: string, reason: 'manual' | 'saga_rollback'): Promise<boolean> {
    const statsProvider = () => this.stats.execute({ tenantId, sessionId });
    const { ended } = await this.endSession.execute({ tenantId, sessionId, reason, at: new Date(), statsProvider });
    return ended;
  }

  async deleteContact(tenantId: string, contactId: string): Promise<boolean> {
    try {
      await this.deleteContactHandler.execute({ tenantId, id: contactId });
      return true;
    } catch (err) {
      if (err instanceof ContactNotFoundError) return false;
      throw err;
    }
  }
}

function metadataOf(m: InboundMessage): MessageMetadataInput {
  const latitude = m.location ? Number(m.location.latitude) : NaN;
  const longitude = m.location ? Number(m.location.longitude) : NaN;
  return {
    source: m.source,
    replyTo: m.replyTo ? { id: m.replyTo.id, body: m.replyTo.body, participant: null } : null,
    location: m.location && Number.isFinite(latitude) && Number.isFinite(longitude)
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
