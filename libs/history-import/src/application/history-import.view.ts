import { type HistoryImportRecord, type HistoryImportStatus } from '../domain/history-import';
import { type LiveImportProgress } from './history-import-workflows.port';

/** A history import as the API and the `history_import.*` events show it. */
export interface HistoryImportView {
  id: string;
  channelId: string;
  workflowId: string;
  status: HistoryImportStatus;
  phase: string;
  request: { days: number | null; chatLimit: number | null; messagesPerChatLimit: number | null };
  /** ISO 8601; start null: from the beginning of each chat. */
  range: { start: string | null; end: string | null };
  chatsTotal: number;
  chatsDone: number;
  chatsFailed: number;
  messagesImported: number;
  messagesDuplicate: number;
  messagesSkipped: number;
  contactsCreated: number;
  sessionsCreated: number;
  sessionsActive: number;
  webhooksReplayed: number;
  failedChats: { chatId: string; error: string }[];
  /** 0 to 100, from the chats finished. */
  percent: number;
  messagesPerSecond: number | null;
  estimatedSecondsRemaining: number | null;
  error: string | null;
  startedAt: string;
  completedAt: string | null;
  /** `live` while the workflow answers its progress query, else `stored`. */
  source: 'live' | 'stored';
}

export function toHistoryImportView(
  record: HistoryImportRecord,
  live: LiveImportProgress | null = null,
): HistoryImportView {
  const counts = live ?? record;
  const finished = counts.chatsDone + counts.chatsFailed;
  const ended = record.completedAt ?? null;
  const elapsedSeconds = ended ? Math.max(0.001, (ended.getTime() - record.startedAt.getTime()) / 1000) : null;
  return {
    id: record.id,
    channelId: record.channelId,
    workflowId: record.workflowId,
    status: record.status,
    phase: live?.phase ?? record.phase,
    request: {
      days: record.requestedDays,
      chatLimit: record.chatLimit,
      messagesPerChatLimit: record.messagesPerChatLimit,
    },
    range: { start: record.rangeStart?.toISOString() ?? null, end: record.rangeEnd?.toISOString() ?? null },
    chatsTotal: counts.chatsTotal,
    chatsDone: counts.chatsDone,
    chatsFailed: counts.chatsFailed,
    messagesImported: counts.messagesImported,
    messagesDuplicate: counts.messagesDuplicate,
    messagesSkipped: counts.messagesSkipped,
    contactsCreated: record.contactsCreated,
    sessionsCreated: record.sessionsCreated,
    sessionsActive: record.sessionsActive,
    webhooksReplayed: record.webhooksReplayed,
    failedChats: live?.failedChats ?? record.failedChats,
    percent:
      record.status === 'completed'
        ? 100
        : counts.chatsTotal === 0
          ? 0
          : Math.floor((finished / counts.chatsTotal) * 100),
    messagesPerSecond: live
      ? live.messagesPerSecond
      : elapsedSeconds
        ? Math.round((record.messagesImported / elapsedSeconds) * 10) / 10
        : null,
    estimatedSecondsRemaining: live ? live.estimatedSecondsRemaining : record.status === 'running' ? null : 0,
    error: record.error,
    startedAt: record.startedAt.toISOString(),
    completedAt: record.completedAt?.toISOString() ?? null,
    source: live ? 'live' : 'stored',
  };
}
