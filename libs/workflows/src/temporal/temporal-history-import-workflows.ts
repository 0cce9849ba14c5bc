import { Inject, Injectable } from '@nestjs/common';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, WorkflowNotFoundError } from '@temporalio/client';
import {
  type HistoryImportConfig,
  historyImportConfig,
  HistoryImportWorkflows,
  type LiveImportProgress,
  type StartImportWorkflow,
} from '@app/history-import';
import {
  cancelHistoryImportSignal,
  historyImportProgressQuery,
  type HistoryImportWorkflowInput,
} from '../contracts/history-import.contracts';
import { TaskQueues } from '../contracts/task-queues';
import { historyImportWorkflowId } from '../contracts/workflow-ids';
import { TemporalClientProvider } from './temporal-client.module';

/** WAHAHistoryImportWorkflow by its business-key id `history-import:{channelId}`. */
@Injectable()
export class TemporalHistoryImportWorkflows extends HistoryImportWorkflows {
  constructor(
    private readonly temporal: TemporalClientProvider,
    @Inject(historyImportConfig.KEY) private readonly config: HistoryImportConfig,
  ) {
    super();
  }

  workflowIdOf(channelId: string): string {
    return historyImportWorkflowId(channelId);
  }

  async start(input: StartImportWorkflow): Promise<boolean> {
    const args: HistoryImportWorkflowInput = {
      ...input,
      concurrency: this.config.concurrency,
      chatsPerRun: this.config.chatsPerRun,
    };
    try {
      await this.temporal.client.workflow.start('WAHAHistoryImportWorkflow', {
        workflowId: historyImportWorkflowId(input.channelId),
        taskQueue: TaskQueues.historyImport,
        args: [args],
        // One import per channel at a time; a finished one may be followed by the next.
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      });
      return true;
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
      throw err;
    }
  }

  async progress(channelId: string, importId: string): Promise<LiveImportProgress | null> {
    const handle = this.temporal.client.workflow.getHandle(historyImportWorkflowId(channelId));
    try {
      const description = await handle.describe();
      if (description.status.name !== 'RUNNING') return null;
      const progress = await handle.query(historyImportProgressQuery);
      return progress.importId === importId ? progress : null;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return null;
      throw err;
    }
  }

  async cancel(channelId: string, reason: string): Promise<void> {
    await this.temporal.client.workflow
      .getHandle(historyImportWorkflowId(channelId))
      .signal(cancelHistoryImportSignal, { reason });
  }

  async isRunning(channelId: string): Promise<boolean> {
    try {
      const description = await this.temporal.client.workflow.getHandle(historyImportWorkflowId(channelId)).describe();
      return description.status.name === 'RUNNING';
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }
}
