import { Injectable } from '@nestjs/common';
import { TransactionContext, returnedRows } from '@app/database';
import { type DomainEvent, EventOutbox, UnitOfWork } from '@app/shared';
import {
  type BufferedEvent,
  type ChatTotals,
  type ConsolidatedSessionRow,
  HistoryImportStore,
  type ImportChatRow,
  type ImportOutcomeWrite,
  type NewHistoryImport,
  type PageWrite,
  type StagedRef,
} from '../application/history-import.store.port';
import { ChatImportEndedError, type HistoryImportRecord, type HistoryImportStatus } from '../domain/history-import';

interface ImportRow {
  id: string;
  tenant_id: string;
  channel_id: string;
  workflow_id: string;
  status: HistoryImportStatus;
  phase: string;
  requested_days: number | null;
  chat_limit: number | null;
  messages_per_chat_limit: number | null;
  range_start: Date | null;
  range_end: Date | null;
  chats_total: number;
  chats_done: number;
  chats_failed: number;
  messages_imported: number;
  messages_duplicate: number;
  messages_skipped: number;
  contacts_created: number;
  sessions_created: number;
  sessions_active: number;
  webhooks_replayed: number;
  failed_chats: { chatId: string; error: string }[];
  error: string | null;
  started_at: Date;
  completed_at: Date | null;
}

function toRecord(row: ImportRow): HistoryImportRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    channelId: row.channel_id,
    workflowId: row.workflow_id,
    status: row.status,
    phase: row.phase,
    requestedDays: row.requested_days,
    chatLimit: row.chat_limit,
    messagesPerChatLimit: row.messages_per_chat_limit,
    rangeStart: row.range_start,
    rangeEnd: row.range_end,
    chatsTotal: row.chats_total,
    chatsDone: row.chats_done,
    chatsFailed: row.chats_failed,
    messagesImported: row.messages_imported,
    messagesDuplicate: row.messages_duplicate,
    messagesSkipped: row.messages_skipped,
    contactsCreated: row.contacts_created,
    sessionsCreated: row.sessions_created,
    sessionsActive: row.sessions_active,
    webhooksReplayed: row.webhooks_replayed,
    failedChats: row.failed_chats,
    error: row.error,
    startedAt: row.started_at,
    completedAt: row.completed_at,
  };
}

/** HistoryImportStore in SQL: every batch write is a few set-based statements (unnest arrays). */
@Injectable()
export class SqlHistoryImportStore extends HistoryImportStore {
  constructor(
    private readonly tx: TransactionContext,
    private readonly unitOfWork: UnitOfWork,
    private readonly outbox: EventOutbox,
  ) {
    super();
  }

  /** The rows a statement returned, whatever its kind. Runs as the system: the import's batches are
   *  driven by worker activities that carry the import's id, and span what the run staged. */
  private async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return returnedRows<T>(await this.tx.asSystem((m) => m.query(sql, params)));
  }

  /** The same for one tenant's rows (the API's reads, and writes that name their tenant). */
  private async queryFor<T = Record<string, unknown>>(
    tenantId: string,
    sql: string,
    params: unknown[] = [],
  ): Promise<T[]> {
    return returnedRows<T>(await this.tx.forTenant(tenantId, (m) => m.query(sql, params)));
  }

  async create(run: NewHistoryImport): Promise<{ created: true } | { created: false; runningImportId: string }> {
    // ON CONFLICT on the partial unique index: a running import of the channel makes this a no-op
    // (an error would abort the caller's transaction).
    const inserted = await this.queryFor<{ id: string }>(
      run.tenantId,
      `INSERT INTO history_imports (id, tenant_id, channel_id, workflow_id, status, buffering, requested_days, chat_limit, messages_per_chat_limit, started_at, updated_at)
       VALUES ($1, $2, $3, $4, 'running', true, $5, $6, $7, $8, $8)
       ON CONFLICT (channel_id) WHERE status = 'running' DO NOTHING
       RETURNING id`,
      [
        run.id,
        run.tenantId,
        run.channelId,
        run.workflowId,
        run.requestedDays,
        run.chatLimit,
        run.messagesPerChatLimit,
        run.startedAt,
      ],
    );
    if (inserted.length > 0) return { created: true };
    const [row] = await this.queryFor<{ id: string }>(
      run.tenantId,
      `SELECT id FROM history_imports WHERE channel_id = $1 AND status = 'running'`,
      [run.channelId],
    );
    return { created: false, runningImportId: row?.id ?? 'unknown' };
  }

  async find(tenantId: string, importId: string): Promise<HistoryImportRecord | null> {
    const [row] = await this.queryFor<ImportRow>(
      tenantId,
      `SELECT * FROM history_imports WHERE tenant_id = $1 AND id = $2`,
      [tenantId, importId],
    );
    return row ? toRecord(row) : null;
  }

  async list(
    tenantId: string,
    channelId: string,
    page: { limit: number; before?: { startedAt: Date; id: string } },
  ): Promise<HistoryImportRecord[]> {
    const params: unknown[] = [tenantId, channelId, page.limit];
    let keyset = '';
    if (page.before) {
      params.push(page.before.startedAt, page.before.id);
      keyset = 'AND (started_at, id) < ($4, $5)';
    }
    const rows = await this.queryFor<ImportRow>(
      tenantId,
      `SELECT * FROM history_imports WHERE tenant_id = $1 AND channel_id = $2 ${keyset} ORDER BY started_at DESC, id DESC LIMIT $3`,
      params,
    );
    return rows.map(toRecord);
  }

  async running(tenantId: string, channelId: string): Promise<HistoryImportRecord | null> {
    const [row] = await this.queryFor<ImportRow>(
      tenantId,
      `SELECT * FROM history_imports WHERE tenant_id = $1 AND channel_id = $2 AND status = 'running'`,
      [tenantId, channelId],
    );
    return row ? toRecord(row) : null;
  }

  async lastCompletedRangeEnd(tenantId: string, channelId: string): Promise<Date | null> {
    const [row] = await this.queryFor<{ end: Date | null }>(
      tenantId,
      `SELECT max(range_end) AS end FROM history_imports WHERE tenant_id = $1 AND channel_id = $2 AND status = 'completed'`,
      [tenantId, channelId],
    );
    return row?.end ?? null;
  }

  async recordRange(importId: string, range: { start: Date | null; end: Date }): Promise<void> {
    await this.query(`UPDATE history_imports SET range_start = $2, range_end = $3, updated_at = now() WHERE id = $1`, [
      importId,
      range.start,
      range.end,
    ]);
  }

  async recordPhase(importId: string, phase: string, at: Date): Promise<void> {
    await this.query(`UPDATE history_imports SET phase = $2, updated_at = $3 WHERE id = $1 AND status = 'running'`, [
      importId,
      phase,
      at,
    ]);
  }

  async recordChats(
    importId: string,
    tenantId: string,
    chats: { chatId: string; name: string | null }[],
    at: Date,
  ): Promise<void> {
    await this.unitOfWork.run(async () => {
      await this.queryFor(
        tenantId,
        `INSERT INTO history_import_chats (import_id, chat_id, tenant_id, chat_name, updated_at)
         SELECT $1, c.chat_id, $2, c.name, $3 FROM unnest($4::text[], $5::text[]) AS c(chat_id, name)
         ON CONFLICT (import_id, chat_id) DO NOTHING`,
        [importId, tenantId, at, chats.map((c) => c.chatId), chats.map((c) => c.name)],
      );
      await this.queryFor(
        tenantId,
        `UPDATE history_imports SET chats_total = (SELECT count(*) FROM history_import_chats WHERE import_id = $1), updated_at = $2 WHERE id = $1`,
        [importId, at],
      );
    });
  }

  async chatCursor(importId: string, chatId: string): Promise<{ cursor: unknown; totals: ChatTotals } | null> {
    const [row] = await this.query<{
      cursor: unknown;
      messages_imported: number;
      messages_duplicate: number;
      messages_skipped: number;
      pages: number;
    }>(
      `SELECT cursor, messages_imported, messages_duplicate, messages_skipped, pages FROM history_import_chats WHERE import_id = $1 AND chat_id = $2`,
      [importId, chatId],
    );
    if (!row) return null;
    return {
      cursor: row.cursor,
      totals: {
        imported: row.messages_imported,
        duplicate: row.messages_duplicate,
        skipped: row.messages_skipped,
        pages: row.pages,
      },
    };
  }

  async writePage(page: PageWrite): Promise<ChatTotals> {
    return this.unitOfWork.run(async () => {
      // The chat's row is the fence: locked first, and only a chat still importing takes a page
      // (markChat takes the same lock, so a page is either in before the chat ends or refused).
      const [chat] = await this.queryFor<{ status: string }>(
        page.tenantId,
        `SELECT status FROM history_import_chats WHERE import_id = $1 AND chat_id = $2 FOR UPDATE`,
        [page.importId, page.chatId],
      );
      if (!chat) throw new Error(`history import ${page.importId} has no chat ${page.chatId}`);
      if (chat.status !== 'pending' && chat.status !== 'running')
        throw new ChatImportEndedError(page.chatId, chat.status);
      let contactsCreated = 0;
      const contactIds = new Map<string, string>();
      if (page.contacts.length > 0) {
        const created = await this.queryFor<{ id: string }>(
          page.tenantId,
          `INSERT INTO contacts (id, tenant_id, phone, whatsapp_id, name, source, created_at, updated_at, version)
           SELECT c.id, $1, c.phone, c.whatsapp_id, c.name, 'import', c.created_at, c.created_at, 1
             FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::timestamptz[]) AS c(id, phone, whatsapp_id, name, created_at)
           ON CONFLICT (tenant_id, phone) WHERE deleted_at IS NULL DO NOTHING
           RETURNING id`,
          [
            page.tenantId,
            page.contacts.map((c) => c.id),
            page.contacts.map((c) => c.phone),
            page.contacts.map((c) => c.whatsappId),
            page.contacts.map((c) => c.name),
            page.contacts.map((c) => c.createdAt),
          ],
        );
        contactsCreated = created.length;
        const rows = await this.queryFor<{ id: string; phone: string }>(
          page.tenantId,
          `SELECT id, phone FROM contacts WHERE tenant_id = $1 AND phone = ANY($2::text[]) AND deleted_at IS NULL`,
          [page.tenantId, page.contacts.map((c) => c.phone)],
        );
        for (const row of rows) contactIds.set(row.phone, row.id);
        const createdIds = new Set(created.map((r) => r.id));
        await this.outbox.append(page.contacts.filter((c) => createdIds.has(c.id)).map((c) => c.createdEvent));
      }

      let inserted = 0;
      let firstAt: Date | null = null;
      let lastAt: Date | null = null;
      const messages = page.messages.filter((m) => contactIds.has(m.contactPhone));
      if (messages.length > 0) {
        const rows = await this.queryFor<{ sent_at: Date }>(
          page.tenantId,
          `INSERT INTO history_import_messages
             (channel_id, external_id, import_id, tenant_id, chat_id, contact_id, direction, wa_chat_id, wa_raw_id, type, text, media, status, ack_level, sent_at, metadata)
           SELECT $1, x.external_id, $2, $3, $4, x.contact_id, x.direction, x.wa_chat_id, x.wa_raw_id, x.type, x.text, x.media, x.status, x.ack_level, x.sent_at, x.metadata
             FROM unnest($5::text[], $6::uuid[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::jsonb[], $13::text[], $14::smallint[], $15::timestamptz[], $16::jsonb[])
                  AS x(external_id, contact_id, direction, wa_chat_id, wa_raw_id, type, text, media, status, ack_level, sent_at, metadata)
            WHERE NOT EXISTS (
                    SELECT 1 FROM messages m
                     WHERE m.channel_id = $1 AND m.wa_chat_id = x.wa_chat_id AND m.wa_raw_id = x.wa_raw_id AND m.direction = x.direction)
           ON CONFLICT (channel_id, external_id) DO NOTHING
           RETURNING sent_at`,
          [
            page.channelId,
            page.importId,
            page.tenantId,
            page.chatId,
            messages.map((m) => m.externalId),
            messages.map((m) => contactIds.get(m.contactPhone)),
            messages.map((m) => m.direction),
            messages.map((m) => m.waChatId),
            messages.map((m) => m.waRawId),
            messages.map((m) => m.type),
            messages.map((m) => m.text),
            messages.map((m) => (m.media === null ? null : JSON.stringify(m.media))),
            messages.map((m) => m.status),
            messages.map((m) => m.ackLevel),
            messages.map((m) => m.sentAt),
            messages.map((m) => JSON.stringify(m.metadata)),
          ],
        );
        inserted = rows.length;
        for (const row of rows) {
          if (firstAt === null || row.sent_at < firstAt) firstAt = row.sent_at;
          if (lastAt === null || row.sent_at > lastAt) lastAt = row.sent_at;
        }
      }
      const duplicate = page.messages.length - inserted + page.repeatedInPage;
      const [totals] = await this.queryFor<{
        messages_imported: number;
        messages_duplicate: number;
        messages_skipped: number;
        pages: number;
      }>(
        page.tenantId,
        `UPDATE history_import_chats
            SET cursor = $3, pages = pages + 1, status = $11,
                messages_imported = messages_imported + $4, messages_duplicate = messages_duplicate + $5,
                messages_skipped = messages_skipped + $6, contacts_created = contacts_created + $7,
                first_message_at = LEAST(first_message_at, $8), last_message_at = GREATEST(last_message_at, $9), updated_at = $10
          WHERE import_id = $1 AND chat_id = $2
          RETURNING messages_imported, messages_duplicate, messages_skipped, pages`,
        // The page that ends the paging also ends the chat: done in the same transaction.
        [
          page.importId,
          page.chatId,
          JSON.stringify(page.cursor),
          inserted,
          duplicate,
          page.skipped,
          contactsCreated,
          firstAt,
          lastAt,
          page.at,
          page.cursor.done ? 'done' : 'running',
        ],
      );
      if (!totals) throw new Error(`history import ${page.importId} has no chat ${page.chatId}`);
      return {
        imported: totals.messages_imported,
        duplicate: totals.messages_duplicate,
        skipped: totals.messages_skipped,
        pages: totals.pages,
      };
    });
  }

  async markChat(
    importId: string,
    chatId: string,
    status: 'done' | 'failed' | 'cancelled',
    error: string | null,
    at: Date,
  ): Promise<void> {
    // A chat whose paging finished is done, even when the cancellation came before it was marked so.
    await this.query(
      `UPDATE history_import_chats
          SET status = CASE WHEN (cursor->>'done')::boolean THEN 'done' ELSE $3 END,
              error = CASE WHEN (cursor->>'done')::boolean THEN NULL ELSE $4 END, updated_at = $5
        WHERE import_id = $1 AND chat_id = $2`,
      [importId, chatId, status, error, at],
    );
  }

  async chats(importId: string): Promise<ImportChatRow[]> {
    const rows = await this.query<{
      chat_id: string;
      chat_name: string | null;
      status: ImportChatRow['status'];
      messages_imported: number;
      messages_duplicate: number;
      messages_skipped: number;
      contacts_created: number;
      pages: number;
      first_message_at: Date | null;
      last_message_at: Date | null;
      error: string | null;
    }>(`SELECT * FROM history_import_chats WHERE import_id = $1 ORDER BY chat_id`, [importId]);
    return rows.map((r) => ({
      chatId: r.chat_id,
      name: r.chat_name,
      status: r.status,
      imported: r.messages_imported,
      duplicate: r.messages_duplicate,
      skipped: r.messages_skipped,
      contactsCreated: r.contacts_created,
      pages: r.pages,
      firstMessageAt: r.first_message_at,
      lastMessageAt: r.last_message_at,
      error: r.error,
    }));
  }

  async stagedContacts(channelId: string, afterContactId: string | null, limit: number): Promise<string[]> {
    // A loose index scan over (channel_id, contact_id, sent_at): one probe per contact.
    const rows = await this.query<{ contact_id: string }>(
      `WITH RECURSIVE next_contact AS (
         (SELECT contact_id FROM history_import_messages WHERE channel_id = $1 AND ($2::uuid IS NULL OR contact_id > $2) ORDER BY contact_id LIMIT 1)
         UNION ALL
         SELECT (SELECT h.contact_id FROM history_import_messages h WHERE h.channel_id = $1 AND h.contact_id > n.contact_id ORDER BY h.contact_id LIMIT 1)
           FROM next_contact n WHERE n.contact_id IS NOT NULL
       )
       SELECT contact_id FROM next_contact WHERE contact_id IS NOT NULL LIMIT $3`,
      [channelId, afterContactId, limit],
    );
    return rows.map((r) => r.contact_id);
  }

  async consolidate(
    channelId: string,
    contactIds: string[],
    plan: (
      staged: StagedRef[],
      contactsWithActiveSession: Set<string>,
    ) => { sessions: ConsolidatedSessionRow[]; assignments: Map<string, string>; events: DomainEvent[] },
  ): Promise<{ sessions: number; active: number; messages: number }> {
    return this.unitOfWork.run(async () => {
      // Stored live since it was staged (a saga that was already running when the import began).
      await this.query(
        `DELETE FROM history_import_messages s USING messages m
          WHERE s.channel_id = $1 AND s.contact_id = ANY($2::uuid[])
            AND m.channel_id = $1 AND m.wa_chat_id = s.wa_chat_id AND m.wa_raw_id = s.wa_raw_id AND m.direction = s.direction`,
        [channelId, contactIds],
      );
      const staged = await this.query<{
        contact_id: string;
        chat_id: string;
        external_id: string;
        sent_at: Date;
        direction: 'inbound' | 'outbound';
      }>(
        `SELECT contact_id, chat_id, external_id, sent_at, direction FROM history_import_messages
          WHERE channel_id = $1 AND contact_id = ANY($2::uuid[]) ORDER BY contact_id, sent_at, external_id`,
        [channelId, contactIds],
      );
      const live = await this.query<{ contact_id: string }>(
        `SELECT contact_id FROM sessions WHERE channel_id = $1 AND contact_id = ANY($2::uuid[]) AND status = 'active' FOR UPDATE`,
        [channelId, contactIds],
      );
      const { sessions, assignments, events } = plan(
        staged.map((s) => ({
          contactId: s.contact_id,
          chatId: s.chat_id,
          externalId: s.external_id,
          sentAt: s.sent_at,
          direction: s.direction,
        })),
        new Set(live.map((l) => l.contact_id)),
      );
      if (sessions.length > 0) {
        await this.query(
          `INSERT INTO sessions (id, tenant_id, contact_id, channel_id, status, started_at, last_activity_at, ended_at, end_reason, timeout_seconds, warning_lead_seconds, summary, created_at, updated_at, version)
           SELECT s.id, s.tenant_id, s.contact_id, $1, s.status, s.started_at, s.last_activity_at, s.ended_at,
                  CASE WHEN s.status = 'ended' THEN 'import' END, s.timeout_seconds, s.warning_lead_seconds, s.summary, s.created_at, s.created_at, 1
             FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::timestamptz[], $7::timestamptz[], $8::timestamptz[], $9::int[], $10::int[], $11::jsonb[], $12::timestamptz[])
                  AS s(id, tenant_id, contact_id, status, started_at, last_activity_at, ended_at, timeout_seconds, warning_lead_seconds, summary, created_at)`,
          [
            channelId,
            sessions.map((s) => s.id),
            sessions.map((s) => s.tenantId),
            sessions.map((s) => s.contactId),
            sessions.map((s) => s.status),
            sessions.map((s) => s.startedAt),
            sessions.map((s) => s.lastActivityAt),
            sessions.map((s) => s.endedAt),
            sessions.map((s) => s.timeoutSeconds),
            sessions.map((s) => s.warningLeadSeconds),
            sessions.map((s) => (s.summary === null ? null : JSON.stringify(s.summary))),
            sessions.map((s) => s.createdAt),
          ],
        );
      }
      let moved = 0;
      if (assignments.size > 0) {
        const externalIds = [...assignments.keys()];
        const moveResult = await this.query<{ id: string }>(
          `INSERT INTO messages (id, tenant_id, session_id, contact_id, channel_id, direction, external_id, wa_chat_id, wa_raw_id, type, text, media, status, ack_level, sent_at, metadata, created_at, updated_at)
           SELECT gen_random_uuid(), s.tenant_id, x.session_id, s.contact_id, s.channel_id, s.direction, s.external_id, s.wa_chat_id, s.wa_raw_id,
                  s.type, s.text, s.media, s.status, s.ack_level, s.sent_at, s.metadata, now(), now()
             FROM unnest($2::text[], $3::uuid[]) AS x(external_id, session_id)
             JOIN history_import_messages s ON s.channel_id = $1 AND s.external_id = x.external_id
           RETURNING id`,
          [channelId, externalIds, externalIds.map((id) => assignments.get(id))],
        );
        moved = moveResult.length;
      }
      await this.query(`DELETE FROM history_import_messages WHERE channel_id = $1 AND contact_id = ANY($2::uuid[])`, [
        channelId,
        contactIds,
      ]);
      await this.outbox.append(events);
      return {
        sessions: sessions.length,
        active: sessions.filter((s) => s.status === 'active').length,
        messages: moved,
      };
    });
  }

  async appendEvents(events: DomainEvent[]): Promise<void> {
    await this.unitOfWork.run(() => this.outbox.append(events));
  }

  async bufferIfImporting(tenantId: string, channelId: string, body: string, at: Date): Promise<boolean> {
    // The run's row is share-locked until this statement commits, so the run cannot stop buffering
    // between the check and the insert (stopBufferingIfDrained locks it for update).
    const rows = await this.queryFor<{ id: string }>(
      tenantId,
      `WITH run AS (SELECT id FROM history_imports WHERE channel_id = $1 AND tenant_id = $2 AND buffering FOR SHARE)
       INSERT INTO buffered_webhook_events (tenant_id, channel_id, import_id, body, received_at)
       SELECT $2, $1, run.id, $3, $4 FROM run
       RETURNING id`,
      [channelId, tenantId, body, at],
    );
    return rows.length > 0;
  }

  async nextBuffered(channelId: string, limit: number): Promise<BufferedEvent[]> {
    // Ordered by the bigint, not by its text (the alias): '10' sorts before '2'.
    const rows = await this.query<{ id: string; body: string }>(
      `SELECT b.id::text AS id, b.body FROM buffered_webhook_events b WHERE b.channel_id = $1 ORDER BY b.id LIMIT $2`,
      [channelId, limit],
    );
    return rows;
  }

  async deleteBuffered(id: string): Promise<void> {
    await this.query(`DELETE FROM buffered_webhook_events WHERE id = $1`, [id]);
  }

  async stopBufferingIfDrained(importId: string, channelId: string): Promise<boolean> {
    return this.unitOfWork.run(async () => {
      await this.query(`SELECT id FROM history_imports WHERE id = $1 FOR UPDATE`, [importId]);
      const [left] = await this.query<{ any: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM buffered_webhook_events WHERE channel_id = $1) AS any`,
        [channelId],
      );
      if (left?.any) return false;
      await this.query(`UPDATE history_imports SET buffering = false, updated_at = now() WHERE id = $1`, [importId]);
      return true;
    });
  }

  async complete(outcome: ImportOutcomeWrite): Promise<HistoryImportRecord> {
    return this.unitOfWork.run(async () => {
      const [row] = await this.queryFor<ImportRow>(
        outcome.tenantId,
        // Counts from the chats' rows, which every stored page updated in its own transaction: the
        // truth, also for pages a chat stored after its last report (a failed or cancelled chat).
        `WITH chats AS (
           SELECT count(*) FILTER (WHERE status = 'done')::int AS done, count(*) FILTER (WHERE status = 'failed')::int AS failed,
                  COALESCE(sum(messages_imported), 0)::int AS imported, COALESCE(sum(messages_duplicate), 0)::int AS duplicate,
                  COALESCE(sum(messages_skipped), 0)::int AS skipped, COALESCE(sum(contacts_created), 0)::int AS contacts
             FROM history_import_chats WHERE import_id = $1)
         UPDATE history_imports
            SET status = $2, phase = $2, chats_total = GREATEST($3, chats_total), chats_done = chats.done, chats_failed = chats.failed,
                messages_imported = chats.imported, messages_duplicate = chats.duplicate, messages_skipped = chats.skipped,
                contacts_created = chats.contacts,
                sessions_created = $4, sessions_active = $5, webhooks_replayed = $6, failed_chats = $7::jsonb, error = $8,
                completed_at = $9, updated_at = $9, buffering = false
           FROM chats
          WHERE id = $1
          RETURNING history_imports.*`,
        [
          outcome.importId,
          outcome.status,
          outcome.chatsTotal,
          outcome.sessionsCreated,
          outcome.sessionsActive,
          outcome.webhooksReplayed,
          JSON.stringify(outcome.failedChats),
          outcome.error,
          outcome.completedAt,
        ],
      );
      if (!row) throw new Error(`history import ${outcome.importId} does not exist`);
      if (outcome.status === 'completed') {
        await this.queryFor(
          outcome.tenantId,
          `UPDATE channels SET last_imported_at = $2, history_import_status = 'completed' WHERE id = $1`,
          [row.channel_id, row.range_end],
        );
      } else {
        await this.queryFor(outcome.tenantId, `UPDATE channels SET history_import_status = $2 WHERE id = $1`, [
          row.channel_id,
          outcome.status,
        ]);
      }
      return toRecord(row);
    });
  }
}
