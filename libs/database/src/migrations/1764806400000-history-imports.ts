import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * WhatsApp history imports: one row per run (its outcome), one per chat of a run (status, paging
 * cursor and counts, so a retried or resumed chat continues where it stopped), the staged messages
 * of a run (written page by page; moved into sessions and messages when the run consolidates), and
 * the live webhooks that arrived while a run of their channel was importing (replayed in arrival
 * order afterwards).
 */
export class HistoryImports1764806400000 implements MigrationInterface {
  name = 'HistoryImports1764806400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE history_imports (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        channel_id uuid NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
        workflow_id text NOT NULL,
        status text NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'cancelled')),
        -- While true, the channel's live webhooks are stored in buffered_webhook_events instead of
        -- being processed; the run clears it once it has replayed them all.
        buffering boolean NOT NULL DEFAULT true,
        requested_days integer CHECK (requested_days > 0),
        chat_limit integer CHECK (chat_limit > 0),
        messages_per_chat_limit integer CHECK (messages_per_chat_limit > 0),
        range_start timestamptz,
        range_end timestamptz,
        phase text NOT NULL DEFAULT 'starting',
        chats_total integer NOT NULL DEFAULT 0,
        chats_done integer NOT NULL DEFAULT 0,
        chats_failed integer NOT NULL DEFAULT 0,
        messages_imported integer NOT NULL DEFAULT 0,
        messages_duplicate integer NOT NULL DEFAULT 0,
        messages_skipped integer NOT NULL DEFAULT 0,
        contacts_created integer NOT NULL DEFAULT 0,
        sessions_created integer NOT NULL DEFAULT 0,
        sessions_active integer NOT NULL DEFAULT 0,
        webhooks_replayed integer NOT NULL DEFAULT 0,
        failed_chats jsonb NOT NULL DEFAULT '[]'::jsonb,
        error text,
        started_at timestamptz NOT NULL,
        completed_at timestamptz,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(
      `CREATE UNIQUE INDEX history_imports_one_running_uq ON history_imports (channel_id) WHERE status = 'running'`,
    );
    await q.query(`CREATE INDEX history_imports_buffering_idx ON history_imports (channel_id) WHERE buffering`);
    await q.query(
      `CREATE INDEX history_imports_channel_started_idx ON history_imports (tenant_id, channel_id, started_at DESC, id DESC)`,
    );

    await q.query(`
      CREATE TABLE history_import_chats (
        import_id uuid NOT NULL REFERENCES history_imports(id) ON DELETE CASCADE,
        chat_id text NOT NULL,
        tenant_id uuid NOT NULL,
        chat_name text,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed', 'cancelled')),
        -- The paging position, written in the transaction of the page it follows.
        cursor jsonb,
        pages integer NOT NULL DEFAULT 0,
        messages_imported integer NOT NULL DEFAULT 0,
        messages_duplicate integer NOT NULL DEFAULT 0,
        messages_skipped integer NOT NULL DEFAULT 0,
        contacts_created integer NOT NULL DEFAULT 0,
        first_message_at timestamptz,
        last_message_at timestamptz,
        error text,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (import_id, chat_id)
      )`);

    await q.query(`
      CREATE TABLE history_import_messages (
        channel_id uuid NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
        external_id text NOT NULL,
        import_id uuid NOT NULL REFERENCES history_imports(id) ON DELETE CASCADE,
        tenant_id uuid NOT NULL,
        chat_id text NOT NULL,
        contact_id uuid NOT NULL REFERENCES contacts(id),
        direction text NOT NULL,
        wa_chat_id text NOT NULL,
        wa_raw_id text NOT NULL,
        type text NOT NULL,
        text text,
        media jsonb,
        status text NOT NULL,
        ack_level smallint,
        sent_at timestamptz NOT NULL,
        metadata jsonb NOT NULL,
        PRIMARY KEY (channel_id, external_id)
      )`);
    await q.query(
      `CREATE INDEX history_import_messages_contact_idx ON history_import_messages (channel_id, contact_id, sent_at)`,
    );

    await q.query(`
      CREATE TABLE buffered_webhook_events (
        id bigserial PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        channel_id uuid NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
        import_id uuid NOT NULL REFERENCES history_imports(id) ON DELETE CASCADE,
        -- The verified body exactly as WAHA posted it.
        body text NOT NULL,
        received_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX buffered_webhook_events_channel_idx ON buffered_webhook_events (channel_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE buffered_webhook_events`);
    await q.query(`DROP TABLE history_import_messages`);
    await q.query(`DROP TABLE history_import_chats`);
    await q.query(`DROP TABLE history_imports`);
  }
}
