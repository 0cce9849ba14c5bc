import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type SessionPolicy } from '@app/channel';
import { Correlation, UnitOfWork } from '@app/shared';
import { type InboundMessage } from '../domain/inbound-message';
import { InboundConversationSteps } from './inbound-conversation.steps';
import { InboundMetrics } from './inbound.metrics';

export interface InboundProcessingResult {
  contactId: string;
  sessionId: string;
  messageId: string;
  contactCreated: boolean;
  sessionOpened: boolean;
  messageCreated: boolean;
}

/**
 * Direct mode: the saga's steps in ONE database transaction (contact, session, message, ad
 * conversion), then the durable timers (lifecycle signal-with-start, debouncer). Rows and events are
 * the saga's; only the failure handling differs (a rollback instead of compensations).
 */
@Injectable()
export class DirectInboundProcessor {
  constructor(
    private readonly steps: InboundConversationSteps,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  async process(
    tenantId: string,
    channelId: string,
    message: InboundMessage,
    correlationId: string,
  ): Promise<InboundProcessingResult> {
    try {
      const result = await this.processOnce(tenantId, channelId, message, correlationId);
      InboundMetrics.messageProcessed('direct', result.messageCreated ? 'stored' : 'duplicate');
      return result;
    } catch (err) {
      InboundMetrics.messageProcessed('direct', 'failed');
      throw err;
    }
  }

  private async processOnce(
    tenantId: string,
    channelId: string,
    message: InboundMessage,
    correlationId: string,
  ): Promise<InboundProcessingResult> {
    // The channel's policy serves the session step and the debouncer: read once, and only if needed.
    let policy: Promise<SessionPolicy> | undefined;
    const loadPolicy = () => (policy ??= this.steps.policy(tenantId, channelId));
    return Correlation.run(correlationId, async () => {
      const { result, session, alreadyRecorded } = await this.unitOfWork.run(async () => {
        const contact = await this.steps.findOrCreateContact({ tenantId, proposedContactId: randomUUID(), message });
        const opened = await this.steps.findOrOpenSession({
          tenantId,
          channelId,
          contactId: contact.contactId,
          proposedSessionId: randomUUID(),
          message,
          loadPolicy,
        });
        const created = await this.steps.createMessage({
          tenantId,
          channelId,
          contactId: contact.contactId,
          sessionId: opened.session.id,
          proposedMessageId: randomUUID(),
          message,
        });
        if (message.adReferral) {
          await this.steps.trackAdConversion({
            tenantId,
            channelId,
            contactId: contact.contactId,
            sessionId: opened.session.id,
            messageId: created.messageId,
            message,
          });
        }
        return {
          session: opened.session,
          alreadyRecorded: opened.alreadyRecorded,
          result: {
            contactId: contact.contactId,
            sessionId: opened.session.id,
            messageId: created.messageId,
            contactCreated: contact.created,
            sessionOpened: opened.opened,
            messageCreated: created.created,
          },
        };
      });
      // After commit, the durable timers. A failure here fails the request (5xx), so WAHA delivers
      // again; the redelivery finds the rows (alreadyRecorded) and repeats these steps, which are
      // idempotent: a start by id that leaves a running workflow alone, a debouncer that keeps a
      // message once. A message on a session already watched needs no Temporal call at all.
      if (session.status === 'active' && (result.sessionOpened || alreadyRecorded)) {
        await this.steps.watchSession(tenantId, session);
      }
      const firstOrRepeat = result.messageCreated || (alreadyRecorded && session.status === 'active');
      if (firstOrRepeat && message.direction === 'inbound') {
        await this.steps.debounce(
          { tenantId, channelId, sessionId: result.sessionId, messageId: result.messageId },
          loadPolicy,
        );
      }
      return result;
    });
  }
}
