import { Injectable } from '@nestjs/common';
import { GetChannelHandler } from '@app/channel';
import {
  assertUuid,
  Clock,
  type DomainEvent,
  EventOutbox,
  keysetAfter,
  type Page,
  type PageRequest,
  pageLimit,
  toPage,
  UnitOfWork,
} from '@app/shared';
import {
  HistoryImportAlreadyRunningError,
  HistoryImportNotFoundError,
  HistoryImportNotRunningError,
  type HistoryImportRecord,
  parseHistoryImportRequest,
} from '../domain/history-import';
import { HistoryImportWorkflows } from './history-import-workflows.port';
import { HistoryImportStore } from './history-import.store.port';
import { type HistoryImportView, toHistoryImportView } from './history-import.view';

export const HISTORY_IMPORT_AGGREGATE_TYPE = 'history_import';
export const HistoryImportEventTypes = {
  started: 'history_import.started',
  completed: 'history_import.completed',
  failed: 'history_import.failed',
  cancelled: 'history_import.cancelled',
} as const;

export function historyImportEvent(type: string, view: HistoryImportView, tenantId: string, at: Date): DomainEvent {
  return {
    id: globalThis.crypto.randomUUID(),
    type,
    occurredAt: at,
    tenantId,
    aggregateType: HISTORY_IMPORT_AGGREGATE_TYPE,
    aggregateId: view.id,
    data: view as unknown as Record<string, unknown>,
  };
}

/** Starting, reading, listing and cancelling a channel's history imports (the REST use cases). */
@Injectable()
export class HistoryImports {
  constructor(
    private readonly store: HistoryImportStore,
    private readonly workflows: HistoryImportWorkflows,
    private readonly channels: GetChannelHandler,
    private readonly unitOfWork: UnitOfWork,
    private readonly outbox: EventOutbox,
    private readonly clock: Clock,
  ) {}

  /**
   * Records the run (status `running`: from now on the channel's live webhooks are buffered) and
   * starts its workflow. A channel imports one history at a time: a second start answers
   * HistoryImportAlreadyRunningError naming the running import. A run left `running` by a workflow
   * that no longer runs (terminated by hand) is recorded failed first, so it cannot block the channel.
   */
  async start(input: {
    tenantId: string;
    channelId: string;
    days?: unknown;
    chatLimit?: unknown;
    messagesPerChatLimit?: unknown;
  }): Promise<HistoryImportView> {
    const request = parseHistoryImportRequest(input);
    await this.channels.execute({ tenantId: input.tenantId, id: input.channelId });
    const now = this.clock.now();
    const run = {
      id: globalThis.crypto.randomUUID(),
      tenantId: input.tenantId,
      channelId: input.channelId,
      workflowId: this.workflows.workflowIdOf(input.channelId),
      requestedDays: request.days,
      chatLimit: request.chatLimit,
      messagesPerChatLimit: request.messagesPerChatLimit,
      startedAt: now,
    };
    let record = await this.insertRun(run);
    if (!record) {
      const running = await this.store.running(input.tenantId, input.channelId);
      if (running && (await this.workflows.isRunning(input.channelId)))
        throw new HistoryImportAlreadyRunningError(input.channelId, running.id);
      if (running) await this.recordEnded(running, 'failed', 'its workflow is no longer running (terminated?)');
      record = await this.insertRun(run);
      if (!record)
        throw new HistoryImportAlreadyRunningError(
          input.channelId,
          (await this.store.running(input.tenantId, input.channelId))?.id ?? 'unknown',
        );
    }
    let started: boolean;
    try {
      started = await this.workflows.start({
        importId: run.id,
        tenantId: run.tenantId,
        channelId: run.channelId,
        ...request,
      });
    } catch (err) {
      // Nothing runs for this row: it must not keep the channel's webhooks buffered.
      await this.recordEnded(record, 'failed', `the import workflow could not be started: ${(err as Error).message}`);
      throw err;
    }
    if (!started) {
      await this.recordEnded(record, 'failed', 'another import workflow of the channel is running');
      throw new HistoryImportAlreadyRunningError(input.channelId, 'the running workflow');
    }
    return toHistoryImportView(record);
  }

  /** Progress from the workflow while it runs, the stored outcome afterwards. */
  async get(tenantId: string, channelId: string, importId: string): Promise<HistoryImportView> {
    const record = await this.require(tenantId, channelId, importId);
    if (record.status !== 'running') return toHistoryImportView(record);
    const live = await this.workflows.progress(channelId, importId).catch(() => null);
    // The run may have ended between the two reads: the stored row is then the newer truth.
    if (!live) return toHistoryImportView((await this.store.find(tenantId, importId)) ?? record);
    return toHistoryImportView(record, live);
  }

  /** The channel's imports, newest first (keyset-paged over start time and id). */
  async list(tenantId: string, channelId: string, page: PageRequest): Promise<Page<HistoryImportView>> {
    await this.channels.execute({ tenantId, id: channelId });
    const limit = pageLimit(page.limit);
    const after = keysetAfter(page.cursor);
    const rows = await this.store.list(tenantId, channelId, {
      limit: limit + 1,
      before: after && { startedAt: new Date(after.createdAt), id: after.id },
    });
    return toPage(
      rows.map((r) => ({ item: r, position: { createdAt: r.startedAt.toISOString(), id: r.id } })),
      limit,
      (r) => toHistoryImportView(r),
    );
  }

  /** Asks the running import to stop; it ends `cancelled` once its children have stopped. */
  async cancel(tenantId: string, channelId: string, importId: string): Promise<HistoryImportView> {
    const record = await this.require(tenantId, channelId, importId);
    if (record.status !== 'running') throw new HistoryImportNotRunningError(importId, record.status);
    await this.workflows.cancel(channelId, 'cancelled through the API');
    return toHistoryImportView(record);
  }

  private async require(tenantId: string, channelId: string, importId: string): Promise<HistoryImportRecord> {
    assertUuid(channelId, 'channelId');
    assertUuid(importId, 'importId');
    const record = await this.store.find(tenantId, importId);
    if (!record || record.channelId !== channelId) throw new HistoryImportNotFoundError(importId);
    return record;
  }

  private insertRun(run: Parameters<HistoryImportStore['create']>[0]): Promise<HistoryImportRecord | null> {
    return this.unitOfWork.run(async () => {
      const result = await this.store.create(run);
      if (!result.created) return null;
      const record = (await this.store.find(run.tenantId, run.id))!;
      await this.outbox.append([
        historyImportEvent(HistoryImportEventTypes.started, toHistoryImportView(record), run.tenantId, run.startedAt),
      ]);
      return record;
    });
  }

  private async recordEnded(record: HistoryImportRecord, status: 'failed', error: string): Promise<void> {
    await this.unitOfWork.run(async () => {
      const ended = await this.store.complete({
        tenantId: record.tenantId,
        importId: record.id,
        status,
        chatsTotal: record.chatsTotal,
        sessionsCreated: record.sessionsCreated,
        sessionsActive: record.sessionsActive,
        webhooksReplayed: record.webhooksReplayed,
        failedChats: record.failedChats,
        error,
        completedAt: this.clock.now(),
      });
      await this.outbox.append([
        historyImportEvent(
          HistoryImportEventTypes.failed,
          toHistoryImportView(ended),
          record.tenantId,
          this.clock.now(),
        ),
      ]);
    });
  }
}
