import { Injectable } from '@nestjs/common';
import { GetWahaConnectionHandler, WahaClient } from '@app/channel';
import { Clock, UnitOfWork, EventOutbox } from '@app/shared';
import { HistoryImportNotFoundError, type HistoryImportStatus, importTimeRange } from '../domain/history-import';
import { HistoryImportStore, type ImportOutcomeWrite } from './history-import.store.port';
import { toHistoryImportView } from './history-import.view';
import { historyImportEvent, HistoryImportEventTypes } from './history-imports.service';

/** Chats asked per WAHA page when listing them. */
const CHAT_PAGE_SIZE = 100;

/** The import workflow's bookkeeping steps: range, chat list, phases, chat outcomes and the run's outcome. */
@Injectable()
export class HistoryImportRuns {
  constructor(
    private readonly store: HistoryImportStore,
    private readonly waha: WahaClient,
    private readonly connections: GetWahaConnectionHandler,
    private readonly unitOfWork: UnitOfWork,
    private readonly outbox: EventOutbox,
    private readonly clock: Clock,
  ) {}

  /** The requested days back, else since the last completed import, else everything; stored on the run. */
  async determineRange(input: {
    importId: string;
    tenantId: string;
    channelId: string;
    days: number | null;
  }): Promise<{ start: Date | null; end: Date }> {
    const run = await this.store.find(input.tenantId, input.importId);
    if (!run) throw new HistoryImportNotFoundError(input.importId);
    // A retried step keeps the range it chose first.
    if (run.rangeEnd) return { start: run.rangeStart, end: run.rangeEnd };
    const range = importTimeRange(
      run.startedAt,
      input.days,
      input.days === null ? await this.store.lastCompletedRangeEnd(input.tenantId, input.channelId) : null,
    );
    await this.store.recordRange(input.importId, range);
    return range;
  }

  /** Every chat of the session, most recently active first (explicit sort), up to `chatLimit`; stored on the run. */
  async fetchChats(
    input: { importId: string; tenantId: string; channelId: string; chatLimit: number | null },
    heartbeat: () => void,
  ): Promise<{ chatId: string; name: string | null }[]> {
    const connection = await this.connections.execute({ tenantId: input.tenantId, channelId: input.channelId });
    const chats: { chatId: string; name: string | null }[] = [];
    const seen = new Set<string>();
    for (let offset = 0; input.chatLimit === null || chats.length < input.chatLimit; offset += CHAT_PAGE_SIZE) {
      const page = await this.waha.listChats({
        ...connection,
        limit: CHAT_PAGE_SIZE,
        offset,
        sortBy: 'conversationTimestamp',
        sortOrder: 'desc',
      });
      heartbeat();
      if (page.length === 0) break;
      for (const chat of page) {
        if (seen.has(chat.id)) continue;
        seen.add(chat.id);
        chats.push({ chatId: chat.id, name: chat.name });
      }
    }
    const selected = input.chatLimit === null ? chats : chats.slice(0, input.chatLimit);
    await this.store.recordChats(input.importId, input.tenantId, selected, this.clock.now());
    return selected;
  }

  recordPhase(importId: string, phase: string): Promise<void> {
    return this.store.recordPhase(importId, phase, this.clock.now());
  }

  markChat(
    importId: string,
    chatId: string,
    status: 'done' | 'failed' | 'cancelled',
    error: string | null,
  ): Promise<void> {
    return this.store.markChat(importId, chatId, status, error, this.clock.now());
  }

  /** Stores the outcome and raises `history_import.completed|failed|cancelled`, once. */
  async complete(tenantId: string, outcome: Omit<ImportOutcomeWrite, 'completedAt' | 'tenantId'>): Promise<void> {
    await this.unitOfWork.run(async () => {
      const current = await this.store.find(tenantId, outcome.importId);
      if (!current) throw new HistoryImportNotFoundError(outcome.importId);
      if (current.status !== 'running') return;
      const now = this.clock.now();
      const record = await this.store.complete({ ...outcome, tenantId, completedAt: now });
      await this.outbox.append([
        historyImportEvent(eventTypeOf(outcome.status), toHistoryImportView(record), tenantId, now),
      ]);
    });
  }
}

function eventTypeOf(status: Exclude<HistoryImportStatus, 'running'>): string {
  if (status === 'completed') return HistoryImportEventTypes.completed;
  if (status === 'cancelled') return HistoryImportEventTypes.cancelled;
  return HistoryImportEventTypes.failed;
}
