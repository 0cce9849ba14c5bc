import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type SessionPolicy } from '@app/channel';
import { Correlation, UnitOfWork } from '@app/shared';
import { type InboundMessage } from '../domain/inbound-message';
import { InboundConversationSteps } from './inbound-conversation.steps';

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

  async process(tenantId: string, channelId: string, message: InboundMessage, correlationId: string): Promise<InboundProcessingResult> {
    // The channel's policy serves the session step and the debouncer: read once, and only if needed.
    let policy: Promise<SessionPolicy> | undefined;
    const loadPolicy = () => (policy ??= this.steps.policy(tenantId, channelId));
    return Correlation.run(correlationId, async () => {
      const { result, session, alreadyRecorded } = await this.unitOfWork.run(async () => {
        const contact = await this.steps.findOrCreateContact({ tenantId, proposedContactId: randomUUID(), message });
        const opened = await this.steps.findOrOpenSession({ tenantId, channelId, contactId: contact.contactId, proposedSessionId: randomUUID(), message, loadPolicy });
        const created = await this.steps.createMessage({
          tenantId, channelId, contactId: contact.contactId, sessionId: opened.session.id, proposedMessageId: randomUUID(), message,
        });
        if (message.adReferral) {
          await this.steps.trackAdConversion({
            tenantId, channelId, contactId: contact.contactId, sessionId: opened.session.id, messageId: created.messageId, message,
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
      // After commit: a retried webhook finds the rows (created=false) and signals again, so a
      // failure here is recovered by WAHA's retry.
      if (!alreadyRecorded) await this.steps.notifySessionActivity(tenantId, session, message);
      if (result.messageCreated && message.direction === 'inbound') {
        await this.steps.debounce({ tenantId, channelId, sessionId: result.sessionId, messageId: result.messageId }, loadPolicy);
      }
      return result;
    });
  }
}
