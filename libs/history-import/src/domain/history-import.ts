import { ConflictError, NotFoundError, ValidationError } from '@app/shared';

export const HISTORY_IMPORT_STATUSES = ['running', 'completed', 'failed', 'cancelled'] as const;
export type HistoryImportStatus = (typeof HISTORY_IMPORT_STATUSES)[number];

export const HISTORY_IMPORT_MAX_DAYS = 3650;
export const HISTORY_IMPORT_MAX_CHATS = 100_000;
export const HISTORY_IMPORT_MAX_MESSAGES_PER_CHAT = 1_000_000;

/** One run of a channel's history import, as stored. */
export interface HistoryImportRecord {
  id: string;
  tenantId: string;
  channelId: string;
  workflowId: string;
  status: HistoryImportStatus;
  phase: string;
  requestedDays: number | null;
  chatLimit: number | null;
  messagesPerChatLimit: number | null;
  rangeStart: Date | null;
  rangeEnd: Date | null;
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
  error: string | null;
  startedAt: Date;
  completedAt: Date | null;
}

export interface HistoryImportRequest {
  /** Days back from now; null: since the last completed import, or the whole history. */
  days: number | null;
  chatLimit: number | null;
  messagesPerChatLimit: number | null;
}

/** Checks a start request; each bad value is a ValidationError naming its field. */
export function parseHistoryImportRequest(input: {
  days?: unknown;
  chatLimit?: unknown;
  messagesPerChatLimit?: unknown;
}): HistoryImportRequest {
  return {
    days: optionalInt(input.days, 'days', HISTORY_IMPORT_MAX_DAYS),
    chatLimit: optionalInt(input.chatLimit, 'chatLimit', HISTORY_IMPORT_MAX_CHATS),
    messagesPerChatLimit: optionalInt(
      input.messagesPerChatLimit,
      'messagesPerChatLimit',
      HISTORY_IMPORT_MAX_MESSAGES_PER_CHAT,
    ),
  };
}

function optionalInt(value: unknown, field: string, max: number): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new ValidationError(field, `must be an integer from 1 to ${max}`);
  }
  return value;
}

/** The time range an import covers: `days` back from `now`, else since the last completed import
 *  (with a minute of overlap: duplicates are skipped by id), else everything. The end is pinned to
 *  `now`, so paging offsets do not shift under messages that arrive during the import (those come
 *  in live and are buffered). Never narrowed by what the chats look like: the original cut it to the
 *  least recently active chat's last message and lost real history. */
export function importTimeRange(
  now: Date,
  days: number | null,
  lastCompletedEnd: Date | null,
): { start: Date | null; end: Date } {
  const end = new Date(Math.floor(now.getTime() / 1000) * 1000);
  if (days !== null) return { start: new Date(end.getTime() - days * 86_400_000), end };
  if (lastCompletedEnd !== null) return { start: new Date(lastCompletedEnd.getTime() - 60_000), end };
  return { start: null, end };
}

export class HistoryImportNotFoundError extends NotFoundError {
  constructor(importId: string) {
    super('history import', importId);
  }
}

/** A second start while one runs (HTTP 409); names the running import. */
export class HistoryImportAlreadyRunningError extends ConflictError {
  constructor(
    readonly channelId: string,
    readonly runningImportId: string,
  ) {
    super(
      'HISTORY_IMPORT.ALREADY_RUNNING',
      `channel ${channelId} is already importing its history (import ${runningImportId})`,
      'channelId',
    );
  }
}

/** Cancelling an import that already ended (HTTP 409). */
export class HistoryImportNotRunningError extends ConflictError {
  constructor(importId: string, status: HistoryImportStatus) {
    super('HISTORY_IMPORT.NOT_RUNNING', `history import ${importId} is not running (it is ${status})`, 'importId');
  }
}

/** A page of a chat whose import already ended (cancelled, failed or done) is not stored: a stray
 *  attempt still running after its workflow moved on must not write behind consolidation's back. */
export class ChatImportEndedError extends ConflictError {
  constructor(chatId: string, status: string) {
    super(
      'HISTORY_IMPORT.CHAT_ENDED',
      `the import of chat ${chatId} already ended (${status}); the page was not stored`,
      'chatId',
    );
  }
}
