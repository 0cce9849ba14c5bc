import { type DomainEvent } from '@app/shared';
import { type HistoryCursor } from '../domain/history-paging';
import { type HistoryImportRecord, type HistoryImportStatus } from '../domain/history-import';

/** A contact as a page write proposes it (created only when the tenant has no live contact with the phone). */
export interface ProposedContact {
  id: string;
  phone: string;
  whatsappId: string | null;
  name: string | null;
  createdAt: Date;
  /** Its `contact.created`, written only when the contact is. */
  createdEvent: DomainEvent;
}

/** A history message ready for staging (validated by the message domain). */
export interface StagedMessage {
  externalId: string;
  /** Phone of its contact (resolved to the contact's id in the page's transaction). */
  contactPhone: string;
  direction: 'inbound' | 'outbound';
  waChatId: string;
  waRawId: string;
  type: string;
  text: string | null;
  media: unknown;
  status: string;
  ackLevel: number | null;
  sentAt: Date;
  metadata: unknown;
}

export interface ChatTotals {
  imported: number;
  duplicate: number;
  skipped: number;
  pages: number;
}

export interface PageWrite {
  importId: string;
  tenantId: string;
  channelId: string;
  chatId: string;
  contacts: ProposedContact[];
  messages: StagedMessage[];
  /** Items of the page that are not conversation messages, or malformed. */
  skipped: number;
  /** Messages the page carried more than once (counted as duplicates). */
  repeatedInPage: number;
  cursor: HistoryCursor;
  at: Date;
}

/** A staged message, as consolidation reads it. */
export interface StagedRef {
  contactId: string;
  chatId: string;
  externalId: string;
  sentAt: Date;
  direction: 'inbound' | 'outbound';
}

/** A session row consolidation writes. */
export interface ConsolidatedSessionRow {
  id: string;
  tenantId: string;
  contactId: string;
  channelId: string;
  status: 'active' | 'ended';
  startedAt: Date;
  lastActivityAt: Date;
  endedAt: Date | null;
  timeoutSeconds: number;
  warningLeadSeconds: number | null;
  summary: unknown;
  createdAt: Date;
}

export interface NewHistoryImport {
  id: string;
  tenantId: string;
  channelId: string;
  workflowId: string;
  requestedDays: number | null;
  chatLimit: number | null;
  messagesPerChatLimit: number | null;
  startedAt: Date;
}

export interface ImportChatRow {
  chatId: string;
  name: string | null;
  status: 'pending' | 'running' | 'done' | 'failed' | 'cancelled';
  imported: number;
  duplicate: number;
  skipped: number;
  contactsCreated: number;
  pages: number;
  firstMessageAt: Date | null;
  lastMessageAt: Date | null;
  error: string | null;
}

export interface ImportOutcomeWrite {
  tenantId: string;
  importId: string;
  status: Exclude<HistoryImportStatus, 'running'>;
  /** The message and chat counts come from the chats' rows (see complete). */
  chatsTotal: number;
  sessionsCreated: number;
  sessionsActive: number;
  webhooksReplayed: number;
  failedChats: { chatId: string; error: string }[];
  error: string | null;
  completedAt: Date;
}

export interface BufferedEvent {
  id: string;
  body: string;
}

/**
 * Storage of history imports. Every write that must be atomic is one method: a page (contacts,
 * staged messages, cursor and counts) and a consolidation batch (sessions, messages, staging rows).
 */
export abstract class HistoryImportStore {
  /** Inserts the run; returns the running import's id instead when the channel already has one. */
  abstract create(run: NewHistoryImport): Promise<{ created: true } | { created: false; runningImportId: string }>;
  abstract find(tenantId: string, importId: string): Promise<HistoryImportRecord | null>;
  abstract list(
    tenantId: string,
    channelId: string,
    page: { limit: number; before?: { startedAt: Date; id: string } },
  ): Promise<HistoryImportRecord[]>;
  abstract running(tenantId: string, channelId: string): Promise<HistoryImportRecord | null>;
  /** End of the time range of the channel's last completed import. */
  abstract lastCompletedRangeEnd(tenantId: string, channelId: string): Promise<Date | null>;
  abstract recordRange(importId: string, range: { start: Date | null; end: Date }): Promise<void>;
  abstract recordPhase(importId: string, phase: string, at: Date): Promise<void>;
  /** Stores the chats of the run (idempotent) and their total. */
  abstract recordChats(
    importId: string,
    tenantId: string,
    chats: { chatId: string; name: string | null }[],
    at: Date,
  ): Promise<void>;
  abstract chatCursor(importId: string, chatId: string): Promise<{ cursor: unknown; totals: ChatTotals } | null>;
  /** Writes one page in one transaction; answers the chat's totals after it. */
  abstract writePage(page: PageWrite): Promise<ChatTotals>;
  abstract markChat(
    importId: string,
    chatId: string,
    status: 'done' | 'failed' | 'cancelled',
    error: string | null,
    at: Date,
  ): Promise<void>;
  abstract chats(importId: string): Promise<ImportChatRow[]>;

  /** Contacts with staged messages on the channel, in id order, after `afterContactId`. */
  abstract stagedContacts(channelId: string, afterContactId: string | null, limit: number): Promise<string[]>;
  /** In one transaction: drops staged messages the live path has stored since, reads the rest of
   *  these contacts (by contact, then time), lets `plan` group them into sessions, and writes the
   *  sessions, moves the messages into them and clears the staging rows. */
  abstract consolidate(
    channelId: string,
    contactIds: string[],
    plan: (
      staged: StagedRef[],
      contactsWithActiveSession: Set<string>,
    ) => { sessions: ConsolidatedSessionRow[]; assignments: Map<string, string>; events: DomainEvent[] },
  ): Promise<{ sessions: number; active: number; messages: number }>;
  /** Appends `events` (the `message.imported` summaries) to the outbox. */
  abstract appendEvents(events: DomainEvent[]): Promise<void>;

  /** Stores the webhook when an import of the channel is buffering; false otherwise (process it live). */
  abstract bufferIfImporting(tenantId: string, channelId: string, body: string, at: Date): Promise<boolean>;
  abstract nextBuffered(channelId: string, limit: number): Promise<BufferedEvent[]>;
  abstract deleteBuffered(id: string): Promise<void>;
  /** Ends buffering for the run when nothing is left to replay; false when more arrived meanwhile. */
  abstract stopBufferingIfDrained(importId: string, channelId: string): Promise<boolean>;

  abstract complete(outcome: ImportOutcomeWrite): Promise<HistoryImportRecord>;
}
