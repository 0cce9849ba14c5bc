import { Injectable } from '@nestjs/common';
import { ApplicationFailure } from '@temporalio/common';
import {
  ConversationRolledBackError,
  type InboundMessage,
  InboundConversationSteps,
  InboundMetrics,
  type RollbackOutcome,
  type SagaCompensationStep,
} from '@app/inbound';
import { OutboxRelayService } from '@app/outbox';
import { EventOutbox, UnitOfWork, deterministicEventId } from '@app/shared';
import { CONVERSATION_ROLLED_BACK, type InboundActivitiesContract } from '../contracts/inbound.contracts';
import { TemporalClientProvider } from '../temporal/temporal-client.module';
import { currentActivity, inActivity } from './activity-context';

const COMPENSATION_STEPS: readonly string[] = [
  'deleteMessage',
  'closeSession',
  'deleteContact',
] satisfies SagaCompensationStep[];

/** The saga's steps (seed names FindOrCreateContactActivity, FindOrCreateSessionActivity,
 *  CreateMessageActivity, PublishDomainEventsActivity, ProcessMessageDebouncerActivity,
 *  TrackAdConversionActivity and the compensations), over the same use cases direct mode runs. */
@Injectable()
export class InboundActivities implements InboundActivitiesContract<InboundMessage> {
  constructor(
    private readonly steps: InboundConversationSteps,
    private readonly relay: OutboxRelayService,
    private readonly unitOfWork: UnitOfWork,
    private readonly eventOutbox: EventOutbox,
    private readonly temporal: TemporalClientProvider,
  ) {}

  findOrCreateContact(input: { tenantId: string; proposedContactId: string; message: InboundMessage }) {
    return inActivity(() => this.steps.findOrCreateContact(input));
  }

  findOrCreateSession(input: {
    tenantId: string;
    channelId: string;
    contactId: string;
    proposedSessionId: string;
    message: InboundMessage;
  }) {
    return inActivity(async () => {
      const { session, opened } = await this.steps.findOrOpenSession(input);
      // By the proposed id, not `opened`: a retried attempt after the commit finds the session it
      // opened and must still make sure the workflow started.
      if (session.id === input.proposedSessionId && session.status === 'active')
        await this.steps.watchSession(input.tenantId, session);
      return { sessionId: session.id, opened };
    });
  }

  /** A rolled-back contact or session fails it for good (retrying cannot help) under a type the saga
   *  recognises, so it resolves both again. */
  createMessage(input: {
    tenantId: string;
    channelId: string;
    contactId: string;
    sessionId: string;
    proposedMessageId: string;
    message: InboundMessage;
  }) {
    return inActivity(async () => {
      try {
        const created = await this.steps.createMessage(input);
        // The saga's last required step: the message is stored (optional steps never fail it).
        InboundMetrics.messageProcessed('saga', created.created ? 'stored' : 'duplicate');
        InboundMetrics.sagaFinished('completed', input.message.receivedAt);
        return created;
      } catch (err) {
        if (err instanceof ConversationRolledBackError)
          throw ApplicationFailure.nonRetryable(err.message, CONVERSATION_ROLLED_BACK);
        throw err;
      }
    });
  }

  publishDomainEvents(input: { correlationId: string }) {
    return inActivity(async () => ({ published: (await this.relay.processCorrelated(input.correlationId)).published }));
  }

  processMessageDebouncer(input: {
    tenantId: string;
    channelId: string;
    sessionId: string;
    messageId: string;
    message: InboundMessage;
  }) {
    return inActivity(() =>
      this.steps.debounce({
        tenantId: input.tenantId,
        channelId: input.channelId,
        sessionId: input.sessionId,
        messageId: input.messageId,
      }),
    );
  }

  trackAdConversion(input: {
    tenantId: string;
    channelId: string;
    contactId: string;
    sessionId: string;
    messageId: string;
    message: InboundMessage;
  }) {
    return inActivity(() => this.steps.trackAdConversion(input));
  }

  deleteMessage(input: { tenantId: string; messageId: string }) {
    return inActivity(async () => ({ deleted: await this.steps.deleteMessage(input.tenantId, input.messageId) }));
  }

  closeSessionForRollback(input: { tenantId: string; sessionId: string }) {
    return inActivity(async () => {
      const outcome = await this.steps.closeSessionForRollback(input.tenantId, input.sessionId);
      return { closed: outcome === 'undone', keptInUse: outcome === 'kept_in_use' };
    });
  }

  deleteContact(input: { tenantId: string; contactId: string }) {
    return inActivity(async () => {
      const outcome: RollbackOutcome = await this.steps.deleteContactForRollback(input.tenantId, input.contactId);
      return { deleted: outcome === 'undone', keptInUse: outcome === 'kept_in_use' };
    });
  }

  recordSagaCompensated(input: {
    tenantId: string;
    sagaId: string;
    compensated: string[];
    kept?: string[];
    reason: string;
  }) {
    return inActivity(async () => {
      await this.recordCompensatedEvent(input);
      InboundMetrics.messageProcessed('saga', 'compensated');
      for (const step of input.compensated)
        if (COMPENSATION_STEPS.includes(step)) InboundMetrics.compensated(step as SagaCompensationStep, 'undone');
      for (const step of input.kept ?? [])
        if (COMPENSATION_STEPS.includes(step)) InboundMetrics.compensated(step as SagaCompensationStep, 'kept');
      InboundMetrics.sagaFinished('compensated', await this.sagaStartedAt());
    });
  }

  /** When this saga run started (a failed saga is rare enough to ask Temporal); undefined when
   *  Temporal cannot say: the duration is then not observed. */
  private async sagaStartedAt(): Promise<string | undefined> {
    const { workflowId, runId } = currentActivity();
    try {
      const { client } = this.temporal;
      // Bounded: the metric must never hold up the compensation's record.
      const description = await client.connection.withDeadline(Date.now() + 5_000, () =>
        client.workflow.getHandle(workflowId, runId).describe(),
      );
      return description.startTime.toISOString();
    } catch {
      return undefined;
    }
  }

  private recordCompensatedEvent(input: {
    tenantId: string;
    sagaId: string;
    compensated: string[];
    kept?: string[];
    reason: string;
  }) {
    return this.unitOfWork.run(() =>
      this.eventOutbox.append([
        {
          // One event per saga run, whatever the retries: the id derives from the run.
          id: deterministicEventId(`${input.sagaId}:${currentActivity().runId}:saga.compensated`),
          type: 'saga.compensated',
          occurredAt: new Date(),
          tenantId: input.tenantId,
          aggregateType: 'saga',
          aggregateId: input.sagaId,
          data: {
            saga: 'ProcessInboundMessageSaga',
            sagaId: input.sagaId,
            compensated: input.compensated,
            kept: input.kept ?? [],
            reason: input.reason,
          },
        },
      ]),
    );
  }
}
