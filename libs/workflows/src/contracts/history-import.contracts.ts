import { defineQuery, defineSignal } from '@temporalio/workflow';

/** The phases of an import, in order; `cancelled`/`failed`/`completed` are where it ends. */
export const HISTORY_IMPORT_PHASES = [
  'starting',
  'determining_range',
  'fetching_chats',
  'importing_chats',
  'consolidating_sessions',
  'processing_buffered_webhooks',
  'completing',
  'completed',
  'cancelled',
  'failed',
] as const;
export type HistoryImportPhase = (typeof HISTORY_IMPORT_PHASES)[number];

export type HistoryImportOutcome = 'completed' | 'cancelled' | 'failed';

export interface HistoryImportWorkflowInput {
  importId: string;
  tenantId: string;
  channelId: string;
  /** Days back from now; null: since the channel's last completed import (or everything). */
  days: number | null;
  /** At most this many chats (the most recently active first); null: all. */
  chatLimit: number | null;
  /** At most this many messages per chat (the newest); null: all. */
  messagesPerChatLimit: number | null;
  /** Child workflows running at once. */
  concurrency: number;
  /** Chats started per run before the workflow continues as new. */
  chatsPerRun: number;
  /** Set by continue-as-new: where the previous run stopped. */
  carried?: HistoryImportCarriedState;
}

export interface HistoryImportCarriedState {
  range: ImportTimeRange;
  /** Chats not started yet, in order. */
  pendingChats: ImportChat[];
  progress: HistoryImportProgress;
}

export interface ImportTimeRange {
  /** ISO 8601; null: from the beginning of the chat. */
  start: string | null;
  /** ISO 8601; the import's start, pinned so paging offsets cannot shift under new messages. */
  end: string;
}

export interface ImportChat {
  chatId: string;
  name: string | null;
}

export interface FailedChat {
  chatId: string;
  error: string;
}

/** The `progress` query's answer; every count only ever grows. */
export interface HistoryImportProgress {
  importId: string;
  phase: HistoryImportPhase;
  chatsTotal: number;
  chatsDone: number;
  chatsFailed: number;
  messagesImported: number;
  messagesDuplicate: number;
  /** History items that are not conversation messages (status broadcasts, newsletters, hidden ids, disabled groups) or are malformed. */
  messagesSkipped: number;
  failedChats: FailedChat[];
  /** ISO 8601. */
  startedAt: string;
  /** Imported messages per second since the start. */
  messagesPerSecond: number;
  /** From the chats still to do at the rate so far; null until a chat is done. */
  estimatedSecondsRemaining: number | null;
  /** Workflow runs so far (continue-as-new). */
  runs: number;
}

/** What one slice of a chat's import did (a child reports each to its parent). */
export interface ChatSliceCounts {
  imported: number;
  duplicate: number;
  skipped: number;
}

export interface ImportChatHistoryWorkflowInput {
  importId: string;
  tenantId: string;
  channelId: string;
  chat: ImportChat;
  range: ImportTimeRange;
  messagesPerChatLimit: number | null;
  /** The parent's workflow id, which receives `chatProgress` signals. */
  parentWorkflowId: string;
}

export interface ImportChatHistoryResult extends ChatSliceCounts {
  chatId: string;
  pages: number;
}

export interface ImportChatSliceInput {
  importId: string;
  tenantId: string;
  channelId: string;
  chat: ImportChat;
  range: ImportTimeRange;
  messagesPerChatLimit: number | null;
}

export interface ImportChatSliceResult extends ChatSliceCounts {
  /** True once the chat has no more messages to page. */
  done: boolean;
  pages: number;
}

export interface ConsolidationResult {
  contacts: number;
  sessionsCreated: number;
  sessionsActive: number;
  messagesMoved: number;
}

export interface BufferedWebhooksResult {
  replayed: number;
  failed: number;
}

export interface HistoryImportActivitiesContract {
  determineImportTimeRange(input: {
    importId: string;
    tenantId: string;
    channelId: string;
    days: number | null;
  }): Promise<ImportTimeRange>;
  fetchWahaChats(input: {
    importId: string;
    tenantId: string;
    channelId: string;
    chatLimit: number | null;
  }): Promise<ImportChat[]>;
  recordImportPhase(input: { importId: string; phase: HistoryImportPhase }): Promise<void>;
  consolidateHistorySessions(input: {
    importId: string;
    tenantId: string;
    channelId: string;
  }): Promise<ConsolidationResult>;
  processBufferedWebhooks(input: {
    importId: string;
    tenantId: string;
    channelId: string;
  }): Promise<BufferedWebhooksResult>;
  markImportCompleted(input: {
    importId: string;
    tenantId: string;
    outcome: HistoryImportOutcome;
    progress: HistoryImportProgress;
    consolidation: ConsolidationResult | null;
    webhooksReplayed: number;
    error: string | null;
  }): Promise<void>;
}

export interface ImportChatHistoryActivitiesContract {
  importChatHistory(input: ImportChatSliceInput): Promise<ImportChatSliceResult>;
  markChatImport(input: {
    importId: string;
    chatId: string;
    status: 'done' | 'failed' | 'cancelled';
    error: string | null;
  }): Promise<void>;
}

export const historyImportProgressQuery = defineQuery<HistoryImportProgress>('progress');
/** Stops the import cleanly: children are cancelled, what was imported is consolidated, buffered webhooks are replayed. */
export const cancelHistoryImportSignal = defineSignal<[{ reason?: string }]>('cancel');
/** From a child: a slice of its chat was imported. */
export const chatProgressSignal = defineSignal<[ChatSliceCounts & { chatId: string }]>('chatProgress');

/** An activity attempt's start-to-close timeout grows with the attempt (the seed's recommendation):
 *  a chat too big for one attempt gets a longer one, resuming from its stored cursor. */
export function escalatedStartToCloseMs(attempt: number, baseMs = 60_000, maxMs = 30 * 60_000): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
}

/** Pause between failed attempts of a chat: 1 s doubling to 60 s, or what WAHA asked for (Retry-After). */
export function chatRetryDelayMs(attempt: number, retryAfterMs: number | null): number {
  const backoff = Math.min(60_000, 1_000 * 2 ** Math.max(0, attempt - 1));
  return retryAfterMs !== null && retryAfterMs > backoff ? Math.min(retryAfterMs, 5 * 60_000) : backoff;
}

/** Attempts per chat before it is recorded as failed. */
export const CHAT_IMPORT_MAX_ATTEMPTS = 8;

/** Rate and remaining time from the counts so far. */
export function withRates(progress: HistoryImportProgress, nowMs: number): HistoryImportProgress {
  const elapsedSeconds = Math.max(0.001, (nowMs - Date.parse(progress.startedAt)) / 1000);
  const finished = progress.chatsDone + progress.chatsFailed;
  const remainingChats = Math.max(0, progress.chatsTotal - finished);
  return {
    ...progress,
    messagesPerSecond: Math.round((progress.messagesImported / elapsedSeconds) * 10) / 10,
    estimatedSecondsRemaining: finished === 0 ? null : Math.round((elapsedSeconds / finished) * remainingChats),
  };
}
