import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowCancellationType,
  ParentClosePolicy,
  TimeoutFailure,
  condition,
  continueAsNew,
  executeChild,
  getExternalWorkflowHandle,
  isCancellation,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import {
  CHAT_IMPORT_MAX_ATTEMPTS,
  type ChatSliceCounts,
  type ConsolidationResult,
  type HistoryImportActivitiesContract,
  type HistoryImportOutcome,
  type HistoryImportPhase,
  type HistoryImportProgress,
  type HistoryImportWorkflowInput,
  type ImportChat,
  type ImportChatHistoryActivitiesContract,
  type ImportChatHistoryResult,
  type ImportChatHistoryWorkflowInput,
  type ImportChatSliceResult,
  type ImportTimeRange,
  cancelHistoryImportSignal,
  chatProgressSignal,
  chatRetryDelayMs,
  escalatedStartToCloseMs,
  historyImportProgressQuery,
  withRates,
} from '../contracts/history-import.contracts';
import {
  HISTORY_IMPORT_ACTIVITY_OPTIONS,
  HISTORY_IMPORT_LONG_ACTIVITY_OPTIONS,
  IMPORT_CHAT_HEARTBEAT_TIMEOUT,
} from '../contracts/retry-policies';
import { invalidInput, requireInt } from '../contracts/validation';
import { historyImportChatWorkflowId } from '../contracts/workflow-ids';

const activities = proxyActivities<HistoryImportActivitiesContract>(HISTORY_IMPORT_ACTIVITY_OPTIONS);
// Consolidation and the replay of buffered webhooks heartbeat and may take minutes on a big import.
const longActivities = proxyActivities<HistoryImportActivitiesContract>(HISTORY_IMPORT_LONG_ACTIVITY_OPTIONS);
const chatBookkeeping = proxyActivities<ImportChatHistoryActivitiesContract>(HISTORY_IMPORT_ACTIVITY_OPTIONS);

/** Waits for an open breaker per chat before its attempts are spent anyway (about an hour at the default cool-down). */
const CIRCUIT_OPEN_MAX_WAITS = 120;

/**
 * Imports a channel's WhatsApp history (id `history-import:{channelId}`): time range, chats, one
 * ImportChatHistoryWorkflow child per chat with a sliding window of `concurrency` children (a slow
 * chat never holds the others back, unlike batch barriers), then consolidates the imported messages
 * into sessions, replays the live webhooks buffered meanwhile and records the outcome.
 *
 * Cancelling (the `cancel` signal or a workflow cancellation) cancels the running children, each of
 * which stops after the page it is writing (page and cursor are one transaction); what was imported
 * is still consolidated and the buffered webhooks are still replayed, so nothing is left half-done.
 * A chat that fails after its retries is recorded and reported; it does not fail the import.
 * Continues as new every `chatsPerRun` chats (after its window drains), carrying progress and the
 * chats still to do.
 */
export async function WAHAHistoryImportWorkflow(input: HistoryImportWorkflowInput): Promise<HistoryImportProgress> {
  validateImportInput(input);
  const progress: HistoryImportProgress = input.carried
    ? { ...input.carried.progress, runs: input.carried.progress.runs + 1 }
    : {
        importId: input.importId,
        phase: 'starting',
        chatsTotal: 0,
        chatsDone: 0,
        chatsFailed: 0,
        messagesImported: 0,
        messagesDuplicate: 0,
        messagesSkipped: 0,
        failedChats: [],
        startedAt: new Date().toISOString(),
        messagesPerSecond: 0,
        estimatedSecondsRemaining: null,
        runs: 1,
      };

  const work = new CancellationScope();
  let cancelRequested = false;
  setHandler(historyImportProgressQuery, () => withRates(progress, Date.now()));
  setHandler(cancelHistoryImportSignal, () => {
    cancelRequested = true;
    work.cancel();
  });
  // What each chat reported before it finished; its result brings the rest.
  const reportedByChat = new Map<string, ChatSliceCounts>();
  const addCounts = (counts: ChatSliceCounts) => {
    progress.messagesImported += counts.imported;
    progress.messagesDuplicate += counts.duplicate;
    progress.messagesSkipped += counts.skipped;
  };
  setHandler(chatProgressSignal, (slice) => {
    addCounts(slice);
    const before = reportedByChat.get(slice.chatId) ?? { imported: 0, duplicate: 0, skipped: 0 };
    reportedByChat.set(slice.chatId, {
      imported: before.imported + slice.imported,
      duplicate: before.duplicate + slice.duplicate,
      skipped: before.skipped + slice.skipped,
    });
  });
  const chatFinished = (chatId: string, result: ChatSliceCounts) => {
    const before = reportedByChat.get(chatId) ?? { imported: 0, duplicate: 0, skipped: 0 };
    addCounts({
      imported: result.imported - before.imported,
      duplicate: result.duplicate - before.duplicate,
      skipped: result.skipped - before.skipped,
    });
    reportedByChat.delete(chatId);
  };

  const ids = { importId: input.importId, tenantId: input.tenantId, channelId: input.channelId };
  const enterPhase = async (phase: HistoryImportPhase) => {
    progress.phase = phase;
    await activities.recordImportPhase({ importId: input.importId, phase });
  };

  let continueWith: { range: ImportTimeRange; pendingChats: ImportChat[] } | null = null;
  // Children still running; a cancelled scope stops waiting on them at once, the cleanup must not.
  const running = new Set<Promise<void>>();
  let outcome: HistoryImportOutcome = 'completed';
  let error: string | null = null;
  try {
    await work.run(async () => {
      let range: ImportTimeRange;
      let pending: ImportChat[];
      if (input.carried) {
        range = input.carried.range;
        pending = [...input.carried.pendingChats];
      } else {
        await enterPhase('determining_range');
        range = await activities.determineImportTimeRange({ ...ids, days: input.days });
        await enterPhase('fetching_chats');
        pending = await activities.fetchWahaChats({ ...ids, chatLimit: input.chatLimit });
        progress.chatsTotal = pending.length;
      }
      await enterPhase('importing_chats');

      let startedThisRun = 0;
      let firstCancellation: unknown = null;
      while (pending.length > 0 && startedThisRun < input.chatsPerRun && firstCancellation === null) {
        await condition(() => running.size < input.concurrency);
        if (firstCancellation !== null) break;
        const chat = pending.shift()!;
        startedThisRun += 1;
        const child = importOneChat(input, chat, range, progress, chatFinished).catch((err: unknown) => {
          firstCancellation ??= err;
        });
        const tracked = child.finally(() => running.delete(tracked));
        running.add(tracked);
      }
      await condition(() => running.size === 0);
      if (firstCancellation !== null) throw firstCancellation;
      if (pending.length > 0) continueWith = { range, pendingChats: pending };
    });
  } catch (err) {
    if (isCancellation(err) || cancelRequested) {
      outcome = 'cancelled';
    } else {
      outcome = 'failed';
      error = failureMessage(err);
    }
  }

  // Assigned inside the scope's closure, which TypeScript's narrowing does not see.
  const next = continueWith as { range: ImportTimeRange; pendingChats: ImportChat[] } | null;
  if (next !== null && outcome === 'completed') {
    return continueAsNew<typeof WAHAHistoryImportWorkflow>({
      ...input,
      carried: { range: next.range, pendingChats: next.pendingChats, progress },
    });
  }

  // Whatever happened above, what was imported is consolidated and the buffered webhooks are
  // replayed: a cancelled or failed import must not hold the channel's live traffic.
  return CancellationScope.nonCancellable(async () => {
    // First every child stops (a cancelled one after the page it is storing), so consolidation
    // sees finished pages only.
    await condition(() => running.size === 0);
    let consolidation: ConsolidationResult | null = null;
    try {
      await enterPhase('consolidating_sessions');
      consolidation = await longActivities.consolidateHistorySessions(ids);
    } catch (err) {
      if (outcome === 'completed') outcome = 'failed';
      error ??= `consolidating sessions failed: ${failureMessage(err)}`;
    }
    await enterPhase('processing_buffered_webhooks');
    const replay = await longActivities.processBufferedWebhooks(ids);
    await enterPhase('completing');
    progress.phase = outcome;
    await activities.markImportCompleted({
      importId: input.importId,
      tenantId: input.tenantId,
      outcome,
      progress,
      consolidation,
      webhooksReplayed: replay.replayed,
      error,
    });
    if (outcome === 'failed')
      throw ApplicationFailure.nonRetryable(error ?? 'the history import failed', 'HistoryImportFailed');
    return withRates(progress, Date.now());
  });
}

/** Runs one chat's child; a chat that fails is counted and reported, a cancellation goes up. */
async function importOneChat(
  input: HistoryImportWorkflowInput,
  chat: ImportChat,
  range: ImportTimeRange,
  progress: HistoryImportProgress,
  chatFinished: (chatId: string, result: ChatSliceCounts) => void,
): Promise<void> {
  try {
    const result = await executeChild(ImportChatHistoryWorkflow, {
      workflowId: historyImportChatWorkflowId(input.channelId, chat.chatId),
      args: [
        {
          importId: input.importId,
          tenantId: input.tenantId,
          channelId: input.channelId,
          chat,
          range,
          messagesPerChatLimit: input.messagesPerChatLimit,
          parentWorkflowId: workflowInfo().workflowId,
        },
      ],
      // The parent waits for a cancelled child to stop, so it consolidates only finished pages.
      cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
    });
    chatFinished(chat.chatId, result);
    progress.chatsDone += 1;
  } catch (err) {
    if (isCancellation(err)) throw err;
    progress.chatsFailed += 1;
    progress.failedChats.push({ chatId: chat.chatId, error: failureMessage(err) });
  }
}

/**
 * One chat of an import (id `history-import:{channelId}:{chatId}`). Calls the ImportChatHistory
 * activity, which pages the chat's messages for a bounded slice of time and stores each page with
 * its cursor in one transaction, until the chat is done. A failed attempt is retried with a growing
 * start-to-close timeout and a pause that honours WAHA's Retry-After; every attempt resumes from the
 * stored cursor. Reports each slice to the parent (`chatProgress`) as the difference between the
 * chat's stored totals and what it reported before, so pages committed by an attempt that died
 * (worker killed) are still counted, once.
 */
export async function ImportChatHistoryWorkflow(
  input: ImportChatHistoryWorkflowInput,
): Promise<ImportChatHistoryResult> {
  const reported: ChatSliceCounts = { imported: 0, duplicate: 0, skipped: 0 };
  const parent = getExternalWorkflowHandle(input.parentWorkflowId);
  const sliceInput = {
    importId: input.importId,
    tenantId: input.tenantId,
    channelId: input.channelId,
    chat: input.chat,
    range: input.range,
    messagesPerChatLimit: input.messagesPerChatLimit,
  };
  let failedAttempts = 0;
  let circuitWaits = 0;
  let last: ImportChatSliceResult | null = null;
  try {
    for (;;) {
      const attempt = failedAttempts + 1;
      const chatActivities = proxyActivities<ImportChatHistoryActivitiesContract>({
        startToCloseTimeout: escalatedStartToCloseMs(attempt),
        heartbeatTimeout: IMPORT_CHAT_HEARTBEAT_TIMEOUT,
        // Retries are this loop's, so each attempt can get a longer timeout.
        retry: { maximumAttempts: 1 },
      });
      try {
        last = await chatActivities.importChatHistory(sliceInput);
      } catch (err) {
        if (isCancellation(err)) throw err;
        const detail = wahaDetailOf(err);
        // The channel's breaker is open: WAHA as a whole is unwell, not this chat. Wait until it
        // lets a call through without spending the chat's attempts (bounded by CIRCUIT_OPEN_MAX_WAITS).
        if (detail?.code === 'WAHA.CIRCUIT_OPEN' && circuitWaits < CIRCUIT_OPEN_MAX_WAITS) {
          circuitWaits += 1;
          await sleep(Math.max(100, Math.min(detail.retryAfterMs ?? 1_000, 5 * 60_000)));
          continue;
        }
        failedAttempts += 1;
        if (isPermanent(err) || failedAttempts >= CHAT_IMPORT_MAX_ATTEMPTS) throw err;
        await sleep(chatRetryDelayMs(failedAttempts, detail?.retryAfterMs ?? null));
        continue;
      }
      failedAttempts = 0;
      circuitWaits = 0;
      // The last slice's counts reach the parent with the result; only a chat that takes more
      // slices reports the ones before, so a small chat costs no signal.
      if (last.done) break;
      const delta: ChatSliceCounts = {
        imported: last.imported - reported.imported,
        duplicate: last.duplicate - reported.duplicate,
        skipped: last.skipped - reported.skipped,
      };
      if (delta.imported > 0 || delta.duplicate > 0 || delta.skipped > 0) {
        await parent.signal(chatProgressSignal, { chatId: input.chat.chatId, ...delta });
        reported.imported = last.imported;
        reported.duplicate = last.duplicate;
        reported.skipped = last.skipped;
      }
    }
  } catch (err) {
    const cancelled = isCancellation(err);
    await CancellationScope.nonCancellable(() =>
      chatBookkeeping.markChatImport({
        importId: input.importId,
        chatId: input.chat.chatId,
        status: cancelled ? 'cancelled' : 'failed',
        error: failureMessage(err),
      }),
    );
    throw err;
  }
  // The slice that stored the last page marked the chat done in that page's transaction.
  return {
    chatId: input.chat.chatId,
    imported: last?.imported ?? 0,
    duplicate: last?.duplicate ?? 0,
    skipped: last?.skipped ?? 0,
    pages: last?.pages ?? 0,
  };
}

function isPermanent(err: unknown): boolean {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return (
    cause instanceof ApplicationFailure &&
    (cause.nonRetryable || cause.type === 'WahaPermanentError' || cause.type === 'ValidationError')
  );
}

/** What the activity said of a WAHA failure (its code, and the wait WAHA or the breaker asked for). */
function wahaDetailOf(err: unknown): { code: string | null; retryAfterMs: number | null } | null {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof TimeoutFailure || !(cause instanceof ApplicationFailure)) return null;
  const detail = cause.details?.[0] as { code?: unknown; retryAfterMs?: unknown } | undefined;
  if (!detail) return null;
  return {
    code: typeof detail.code === 'string' ? detail.code : null,
    retryAfterMs: typeof detail.retryAfterMs === 'number' ? detail.retryAfterMs : null,
  };
}

/** The innermost message of a failure chain (ActivityFailure -> ApplicationFailure -> ...). */
function failureMessage(err: unknown): string {
  let current: unknown = err;
  let message = err instanceof Error ? err.message : String(err);
  while (current instanceof Error) {
    if (current.message) message = current.message;
    current = (current as { cause?: unknown }).cause;
  }
  return message.slice(0, 1000);
}

function validateImportInput(input: HistoryImportWorkflowInput): void {
  if (
    !input ||
    typeof input.importId !== 'string' ||
    typeof input.tenantId !== 'string' ||
    typeof input.channelId !== 'string'
  ) {
    throw invalidInput('importId', 'importId, tenantId and channelId are required');
  }
  requireInt(input.concurrency, 'concurrency', 1, 64);
  requireInt(input.chatsPerRun, 'chatsPerRun', 1, 10_000);
}
