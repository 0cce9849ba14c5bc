/** The live progress of a running import, as its workflow reports it (counts only grow). */
export interface LiveImportProgress {
  phase: string;
  chatsTotal: number;
  chatsDone: number;
  chatsFailed: number;
  messagesImported: number;
  messagesDuplicate: number;
  messagesSkipped: number;
  failedChats: { chatId: string; error: string }[];
  startedAt: string;
  messagesPerSecond: number;
  estimatedSecondsRemaining: number | null;
  runs: number;
}

export interface StartImportWorkflow {
  importId: string;
  tenantId: string;
  channelId: string;
  days: number | null;
  chatLimit: number | null;
  messagesPerChatLimit: number | null;
}

/** The import's durable workflow (Temporal in @app/workflows). */
export abstract class HistoryImportWorkflows {
  /** The workflow id of the channel's import (one at a time per channel). */
  abstract workflowIdOf(channelId: string): string;
  /** Starts the run; false when a workflow with that id is already running. */
  abstract start(input: StartImportWorkflow): Promise<boolean>;
  /** The `progress` query; null when no run of `importId` is running any more. */
  abstract progress(channelId: string, importId: string): Promise<LiveImportProgress | null>;
  /** Sends the `cancel` signal. */
  abstract cancel(channelId: string, reason: string): Promise<void>;
  /** Whether a run of the channel's import workflow is running. */
  abstract isRunning(channelId: string): Promise<boolean>;
}
