import { Injectable } from '@nestjs/common';
import { type InboundMessage, InboundConversationSteps } from '@app/inbound';
import { OutboxRelayService } from '@app/outbox';
import { EventOutbox, UnitOfWork, deterministicEventId } from '@app/shared';
import { type InboundActivitiesContract } from '../contracts/inbound.contracts';
import { TemporalConversationWorkflows } from '../temporal/temporal-conversation-workflows';
import { currentActivity, inActivity } from './activity-context';

/** The saga's steps (seed names FindOrCreateContactActivity, FindOrCreateSessionActivity,
 *  CreateMessageActivity, PublishDomainEventsActivity, ProcessMessageDebouncerActivity,
 *  TrackAdConversionActivity and the compensations), over the same use cases direct mode runs. */
@Injectable()
export class InboundActivities implements InboundActivitiesContract<InboundMessage> {
  constructor(
    private readonly steps: InboundConversationSteps,
    private readonly relay: OutboxRelayService,
    private readonly workflows: TemporalConversationWorkflows,
    private readonly unitOfWork: UnitOfWork,
    private readonly eventOutbox: EventOutbox,
  ) {}

  findOrCreateContact(input: { tenantId: string; proposedContactId: string; message: InboundMessage }) {
    return inActivity(() => this.steps.findOrCreateContact(input));
  }

  findOrCreateSession(input: { tenantId: string; channelId: string; contactId: string; proposedSessionId: string; message: InboundMessage }) {
    return inActivity(async () => {
      const { session, opened, alreadyRecorded } = await this.steps.findOrOpenSession(input);
      if (!alreadyRecorded) await this.steps.notifySessionActivity(input.tenantId, session, input.message);
      return { sessionId: session.id, opened };
    });
  }

  createMessage(input: { tenantId: string; channelId: string; contactId: string; sessionId: string; proposedMessageId: string; message: InboundMessage }) {
    return inActivity(() => this.steps.createMessage(input));
  }

  publishDomainEvents(input: { correlationId: string }) {
    return inActivity(async () => ({ published: (await this.relay.processCorrelated(input.correlationId)).published }));
  }

  processMessageDebouncer(input: { tenantId: string; channelId: string; sessionId: string; messageId: string; message: InboundMessage }) {
    return inActivity(() => this.steps.debounce({ tenantId: input.tenantId, channelId: input.channelId, sessionId: input.sessionId, messageId: input.messageId }));
  }

  trackAdConversion(input: { tenantId: string; channelId: string; contactId: string; sessionId: string; messageId: string; message: InboundMessage }) {
    return inActivity(() => this.steps.trackAdConversion(input));
  }

  deleteMessage(input: { tenantId: string; messageId: string }) {
    return inActivity(async () => ({ deleted: await this.steps.deleteMessage(input.tenantId, input.messageId) }));
  }

  /** Through the lifecycle workflow when one runs (it ends the session and stops), else directly. */
  closeSessionForRollback(input: { tenantId: string; sessionId: string }) {
    return inActivity(async () => {
      const outcome = await this.workflows.closeSession(input.sessionId, 'saga_rollback');
      if (outcome) return { closed: outcome.ended };
      return { closed: await this.steps.endSessionForRollback(input.tenantId, input.sessionId) };
    });
  }

  deleteContact(input: { tenantId: string; contactId: string }) {
    return inActivity(async () => ({ deleted: await this.steps.deleteContact(input.tenantId, input.contactId) }));
  }

  recordSagaCompensated(input: { tenantId: string; sagaId: string; compensated: string[]; reason: string }) {
    return inActivity(() =>
      this.unitOfWork.run(() =>
        this.eventOutbox.append([
          {
            // One event per saga run, whatever the retries: the id derives from the run.
            id: deterministicEventId(`${input.sagaId}:${currentActivity().runId}:saga.compensated`),
            type: 'saga.compensated',
            occurredAt: new Date(),
            tenantId: input.tenantId,
            aggregateType: 'saga',
            aggregateId: input.sagaId,
            data: { saga: 'ProcessInboundMessageSaga', sagaId: input.sagaId, compensated: input.compensated, reason: input.reason },
          },
        ]),
      ),
    );
  }
}
