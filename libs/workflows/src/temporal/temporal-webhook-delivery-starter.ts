import { Injectable } from '@nestjs/common';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
} from '@temporalio/client';
import { WebhookDeliveryStarter, type WebhookDeliveryStart, type WebhookDeliveryStartOptions } from '@app/webhook';
import { TaskQueues } from '../contracts/task-queues';
import { webhookDeliveryWorkflowId } from '../contracts/workflow-ids';
import { TemporalClientProvider } from './temporal-client.module';

/** Starts WebhookDeliveryWorkflow under `webhook:{subscriptionId}:{eventId}` (for deliveries whose
 *  inline first attempt did not settle them, held releases and replays). A delivery never gets a
 *  second run (starting it again is a no-op); a replay replaces whatever ran before. */
@Injectable()
export class TemporalWebhookDeliveryStarter extends WebhookDeliveryStarter {
  constructor(private readonly temporal: TemporalClientProvider) {
    super();
  }

  async start(input: WebhookDeliveryStart, options: WebhookDeliveryStartOptions): Promise<void> {
    try {
      await this.temporal.client.workflow.start('WebhookDeliveryWorkflow', {
        workflowId: webhookDeliveryWorkflowId(input.subscriptionId, input.eventId),
        taskQueue: TaskQueues.webhooks,
        args: [input],
        // In the worker (fan-out from the outbox relay) the first workflow task skips matching.
        requestEagerStart: this.temporal.eagerStartAvailable,
        ...(options.replay
          ? {
              workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
              workflowIdConflictPolicy: WorkflowIdConflictPolicy.TERMINATE_EXISTING,
            }
          : {
              workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
              workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
            }),
      });
    } catch (err) {
      if (!options.replay && err instanceof WorkflowExecutionAlreadyStartedError) return;
      throw err;
    }
  }
}
