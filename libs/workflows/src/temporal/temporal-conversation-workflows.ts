import { Global, Injectable, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  WorkflowNotFoundError,
} from '@temporalio/client';
import { historyImportConfig, HistoryImportWorkflows } from '@app/history-import';
import { ConversationWorkflows, type InboundMessage } from '@app/inbound';
import { WebhookDeliveryStarter } from '@app/webhook';
import { TemporalHistoryImportWorkflows } from './temporal-history-import-workflows';
import { TemporalWebhookDeliveryStarter } from './temporal-webhook-delivery-starter';
import { messageReceivedSignal } from '../contracts/debouncer.contracts';
import { type ProcessInboundMessageInput } from '../contracts/inbound.contracts';
import {
  type CloseSessionRequest,
  closeSessionUpdate,
  type EndSessionOutcome,
  type SessionLifecycleInput,
  sessionPolicyChangedSignal,
} from '../contracts/session-lifecycle.contracts';
import { TaskQueues } from '../contracts/task-queues';
import { debouncerWorkflowId, sessionWorkflowId } from '../contracts/workflow-ids';
import { inboundMessageWorkflowId } from './inbound-workflow-id';
import { TemporalClientProvider } from './temporal-client.module';

/** Sessions signalled at once when a channel's policy changes. */
const POLICY_SIGNAL_CONCURRENCY = 16;

/** Starts and signals the conversation workflows by their business-key ids. */
@Injectable()
export class TemporalConversationWorkflows extends ConversationWorkflows {
  constructor(private readonly temporal: TemporalClientProvider) {
    super();
  }

  /** Starts the lifecycle workflow unless one runs (or ran) for the session: no history event and no
   *  workflow task when it runs already. */
  async watchSession(input: Parameters<ConversationWorkflows['watchSession']>[0]): Promise<void> {
    const start: SessionLifecycleInput = { ...input };
    try {
      await this.temporal.client.workflow.start('SessionLifecycleWorkflow', {
        workflowId: sessionWorkflowId(input.sessionId),
        taskQueue: TaskQueues.sessions,
        args: [start],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        // A run that ended the session is not started again; one that failed or was terminated is.
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }

  async sessionPolicyChanged(sessionIds: readonly string[]): Promise<{ signalled: number }> {
    let signalled = 0;
    // A few at a time: a channel may have thousands of open sessions.
    for (let i = 0; i < sessionIds.length; i += POLICY_SIGNAL_CONCURRENCY) {
      const batch = sessionIds.slice(i, i + POLICY_SIGNAL_CONCURRENCY);
      const results = await Promise.all(
        batch.map(async (sessionId) => {
          try {
            await this.temporal.client.workflow
              .getHandle(sessionWorkflowId(sessionId))
              .signal(sessionPolicyChangedSignal);
            return 1;
          } catch (err) {
            // Ended meanwhile (or never watched): nothing to tell.
            if (err instanceof WorkflowNotFoundError) return 0;
            throw err;
          }
        }),
      );
      signalled += results.reduce((a: number, b) => a + b, 0);
    }
    return { signalled };
  }

  async addToMessageGroup(input: Parameters<ConversationWorkflows['addToMessageGroup']>[0]): Promise<void> {
    await this.temporal.client.workflow.signalWithStart('MessageDebouncerWorkflow', {
      workflowId: debouncerWorkflowId(input.sessionId),
      taskQueue: TaskQueues.automation,
      args: [
        { tenantId: input.tenantId, channelId: input.channelId, sessionId: input.sessionId, windowMs: input.windowMs },
      ],
      signal: messageReceivedSignal,
      signalArgs: [{ messageId: input.messageId }],
    });
  }

  /** Starts the saga for one message. A running saga for the same id is reused and a completed one
   *  is not started again (duplicate deliveries are no-ops); a failed one may run again. */
  async startInboundSaga(
    input: ProcessInboundMessageInput<InboundMessage>,
  ): Promise<{ workflowId: string; duplicate: boolean }> {
    const workflowId = inboundMessageWorkflowId(input.channelId, input.message.externalId);
    try {
      await this.temporal.client.workflow.start('ProcessInboundMessageSaga', {
        workflowId,
        taskQueue: TaskQueues.inbound,
        args: [input],
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      });
      return { workflowId, duplicate: false };
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, duplicate: true };
      throw err;
    }
  }

  /** Ends a session through its lifecycle workflow; null when no workflow runs for it. */
  async closeSession(sessionId: string, reason: CloseSessionRequest['reason']): Promise<EndSessionOutcome | null> {
    const request: CloseSessionRequest = { reason };
    const handle = this.temporal.client.workflow.getHandle(sessionWorkflowId(sessionId));
    try {
      const description = await handle.describe();
      if (description.status.name !== 'RUNNING') return null;
      return await handle.executeUpdate(closeSessionUpdate, { args: [request] });
    } catch (err) {
      // Gone, or completed between the describe and the update: the caller ends it directly.
      if (err instanceof WorkflowNotFoundError || (await this.isCompleted(sessionId))) return null;
      throw err;
    }
  }

  private async isCompleted(sessionId: string): Promise<boolean> {
    return !(await this.isSessionWatched(sessionId));
  }

  /** Whether a lifecycle workflow currently watches this session. */
  async isSessionWatched(sessionId: string): Promise<boolean> {
    try {
      const description = await this.temporal.client.workflow.getHandle(sessionWorkflowId(sessionId)).describe();
      return description.status.name === 'RUNNING';
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }
}

/** The Temporal side of the ports the contexts define (conversation timers, webhook delivery starts,
 *  history imports).
 *  Global: the api and the worker import it once. Needs TemporalClientModule. */
@Global()
@Module({
  imports: [ConfigModule.forFeature(historyImportConfig)],
  providers: [
    TemporalConversationWorkflows,
    { provide: ConversationWorkflows, useExisting: TemporalConversationWorkflows },
    TemporalWebhookDeliveryStarter,
    { provide: WebhookDeliveryStarter, useExisting: TemporalWebhookDeliveryStarter },
    TemporalHistoryImportWorkflows,
    { provide: HistoryImportWorkflows, useExisting: TemporalHistoryImportWorkflows },
  ],
  exports: [TemporalConversationWorkflows, ConversationWorkflows, WebhookDeliveryStarter, HistoryImportWorkflows],
})
export class WorkflowGatewaysModule {}
