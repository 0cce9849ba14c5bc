import { Inject, Injectable } from '@nestjs/common';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { WahaError, WahaPermanentError } from '@app/channel';
import {
  BufferedWebhookReplayer,
  ChatHistoryImporter,
  type HistoryImportConfig,
  historyImportConfig,
  HistoryImportRuns,
  HistorySessionConsolidator,
} from '@app/history-import';
import {
  type ConsolidationResult,
  type HistoryImportActivitiesContract,
  type HistoryImportOutcome,
  type HistoryImportPhase,
  type HistoryImportProgress,
  type ImportChatHistoryActivitiesContract,
  type ImportChatSliceInput,
  type ImportChatSliceResult,
  type ImportTimeRange,
} from '../contracts/history-import.contracts';
import { inboundMessageWorkflowId } from '../temporal/inbound-workflow-id';
import { inActivity } from './activity-context';

/** Well inside IMPORT_CHAT_HEARTBEAT_TIMEOUT (20 s): a dead worker is noticed, a slow WAHA call is not mistaken for one. */
const HEARTBEAT_EVERY_MS = 5_000;

/** The history-import queue: WAHAHistoryImportWorkflow's steps and ImportChatHistoryWorkflow's slices. */
@Injectable()
export class HistoryImportActivities implements HistoryImportActivitiesContract, ImportChatHistoryActivitiesContract {
  constructor(
    private readonly runs: HistoryImportRuns,
    private readonly importer: ChatHistoryImporter,
    private readonly consolidator: HistorySessionConsolidator,
    private readonly replayer: BufferedWebhookReplayer,
    @Inject(historyImportConfig.KEY) private readonly config: HistoryImportConfig,
  ) {}

  determineImportTimeRange(input: {
    importId: string;
    tenantId: string;
    channelId: string;
    days: number | null;
  }): Promise<ImportTimeRange> {
    return inActivity(async () => {
      const range = await this.runs.determineRange(input);
      return { start: range.start?.toISOString() ?? null, end: range.end.toISOString() };
    });
  }

  fetchWahaChats(input: { importId: string; tenantId: string; channelId: string; chatLimit: number | null }) {
    return inActivity(async () => {
      const chats = await wahaFailures(() => this.runs.fetchChats(input, () => Context.current().heartbeat()));
      return chats.map((c) => ({ chatId: c.chatId, name: c.name }));
    });
  }

  recordImportPhase(input: { importId: string; phase: HistoryImportPhase }): Promise<void> {
    return inActivity(() => this.runs.recordPhase(input.importId, input.phase));
  }

  /**
   * One slice of a chat: pages until the chat is done, the slice's time is up, or the activity is
   * cancelled, heartbeating the stored cursor after every page. Answers the chat's stored totals.
   */
  importChatHistory(input: ImportChatSliceInput): Promise<ImportChatSliceResult> {
    return inActivity(async () => {
      const context = Context.current();
      const deadline = Date.now() + this.config.sliceMs;
      // A WAHA read may take longer than the heartbeat timeout (retries, Retry-After, the rate
      // limiter); the process is alive meanwhile, so it keeps heartbeating the last stored cursor.
      let lastStored: unknown = undefined;
      const alive = setInterval(() => context.heartbeat(lastStored), HEARTBEAT_EVERY_MS);
      const { done, totals } = await wahaFailures(() =>
        this.importer.importSlice(
          {
            importId: input.importId,
            tenantId: input.tenantId,
            channelId: input.channelId,
            chatId: input.chat.chatId,
            chatName: input.chat.name,
            range: {
              start: input.range.start === null ? null : new Date(input.range.start),
              end: new Date(input.range.end),
            },
            messagesPerChatLimit: input.messagesPerChatLimit,
          },
          {
            pageStored: (cursor, chatTotals) => {
              lastStored = { cursor, totals: chatTotals };
              context.heartbeat(lastStored);
            },
            shouldStop: () => context.cancellationSignal.aborted || Date.now() >= deadline,
          },
        ),
      ).finally(() => clearInterval(alive));
      // Stopped by a cancellation: the last page and its cursor are stored; report it as cancelled.
      if (!done && context.cancellationSignal.aborted)
        throw new CancelledFailure('the chat import was cancelled after its last stored page');
      return {
        done,
        imported: totals.imported,
        duplicate: totals.duplicate,
        skipped: totals.skipped,
        pages: totals.pages,
      };
    });
  }

  markChatImport(input: {
    importId: string;
    chatId: string;
    status: 'done' | 'failed' | 'cancelled';
    error: string | null;
  }): Promise<void> {
    return inActivity(() => this.runs.markChat(input.importId, input.chatId, input.status, input.error));
  }

  consolidateHistorySessions(input: {
    importId: string;
    tenantId: string;
    channelId: string;
  }): Promise<ConsolidationResult> {
    return inActivity(async () => {
      const outcome = await this.consolidator.consolidate(input, () => Context.current().heartbeat());
      return {
        contacts: outcome.contacts,
        sessionsCreated: outcome.sessionsCreated,
        sessionsActive: outcome.sessionsActive,
        messagesMoved: outcome.messagesMoved,
      };
    });
  }

  processBufferedWebhooks(input: { importId: string; tenantId: string; channelId: string }) {
    return inActivity(() =>
      this.replayer.replay(
        input,
        (externalId) => inboundMessageWorkflowId(input.channelId, externalId),
        () => Context.current().heartbeat(),
      ),
    );
  }

  markImportCompleted(input: {
    importId: string;
    tenantId: string;
    outcome: HistoryImportOutcome;
    progress: HistoryImportProgress;
    consolidation: ConsolidationResult | null;
    webhooksReplayed: number;
    error: string | null;
  }): Promise<void> {
    return inActivity(() =>
      this.runs.complete(input.tenantId, {
        importId: input.importId,
        status: input.outcome,
        chatsTotal: input.progress.chatsTotal,
        sessionsCreated: input.consolidation?.sessionsCreated ?? 0,
        sessionsActive: input.consolidation?.sessionsActive ?? 0,
        webhooksReplayed: input.webhooksReplayed,
        failedChats: input.progress.failedChats,
        error: input.error,
      }),
    );
  }
}

/** WAHA's answers as Temporal failures: 4xx final (WahaPermanentError), the rest retryable with the
 *  wait WAHA asked for (Retry-After) in the details, which the chat workflow honours. */
async function wahaFailures<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof WahaPermanentError) throw ApplicationFailure.nonRetryable(err.message, 'WahaPermanentError');
    if (err instanceof WahaError)
      throw ApplicationFailure.retryable(err.message, 'WahaTransientError', {
        code: err.code,
        retryAfterMs: err.retryAfterMs ?? null,
      });
    throw err;
  }
}
