import { MigrationInterface, QueryRunner } from 'typeorm';

/** Channels, sessions, messages, ad conversions, debounced message groups and early acks. */
export class Conversations1764201600000 implements MigrationInterface {
  name = 'Conversations1764201600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tenants ADD COLUMN default_session_timeout_seconds integer`);
    await q.query(`ALTER TABLE contacts ADD COLUMN first_touch jsonb`);

    await q.query(`
      CREATE TABLE channels (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        name text NOT NULL,
        type text NOT NULL DEFAULT 'waha' CHECK (type IN ('waha')),
        waha_base_url text NOT NULL,
        waha_session text NOT NULL,
        waha_api_key_enc text,
        webhook_secret_enc text NOT NULL,
        allow_groups boolean NOT NULL DEFAULT false,
        session_timeout_seconds integer,
        session_warning_lead_seconds integer,
        session_warning_text text,
        debounce_window_ms integer,
        inbound_mode text CHECK (inbound_mode IN ('saga', 'direct')),
        waha_status text,
        waha_status_at timestamptz,
        history_import_status text,
        last_imported_at timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        version integer NOT NULL DEFAULT 1
      )`);
    await q.query(`CREATE UNIQUE INDEX channels_tenant_name_uq ON channels (tenant_id, lower(name))`);
    await q.query(`CREATE INDEX channels_tenant_created_idx ON channels (tenant_id, created_at DESC, id DESC)`);

    await q.query(`
      CREATE TABLE sessions (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        contact_id uuid NOT NULL REFERENCES contacts(id),
        channel_id uuid NOT NULL REFERENCES channels(id),
        status text NOT NULL CHECK (status IN ('active', 'ended')),
        started_at timestamptz NOT NULL,
        last_activity_at timestamptz NOT NULL,
        ended_at timestamptz,
        end_reason text CHECK (end_reason IN ('inactivity', 'manual', 'saga_rollback', 'cleanup', 'import')),
        timeout_seconds integer NOT NULL CHECK (timeout_seconds > 0),
        warning_lead_seconds integer CHECK (warning_lead_seconds > 0),
        summary jsonb,
        first_touch jsonb,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        version integer NOT NULL DEFAULT 1
      )`);
    // At most one active session per contact and channel: what makes find-or-open race-free.
    await q.query(
      `CREATE UNIQUE INDEX sessions_one_active_uq ON sessions (contact_id, channel_id) WHERE status = 'active'`,
    );
    await q.query(`CREATE INDEX sessions_tenant_created_idx ON sessions (tenant_id, created_at DESC, id DESC)`);
    await q.query(
      `CREATE INDEX sessions_active_deadline_idx ON sessions (tenant_id, last_activity_at) WHERE status = 'active'`,
    );

    await q.query(`
      CREATE TABLE messages (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        session_id uuid NOT NULL REFERENCES sessions(id),
        contact_id uuid NOT NULL REFERENCES contacts(id),
        channel_id uuid NOT NULL REFERENCES channels(id),
        direction text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
        external_id text NOT NULL,
        wa_chat_id text NOT NULL,
        wa_raw_id text NOT NULL,
        type text NOT NULL CHECK (type IN ('text', 'image', 'audio', 'video', 'document', 'location', 'contact', 'sticker', 'reaction', 'other')),
        text text,
        media jsonb,
        status text NOT NULL CHECK (status IN ('received', 'pending', 'sent', 'delivered', 'read', 'played', 'failed', 'deleted')),
        ack_level smallint,
        sent_at timestamptz NOT NULL,
        revoked_at timestamptz,
        metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE UNIQUE INDEX messages_channel_external_uq ON messages (channel_id, external_id)`);
    await q.query(`CREATE INDEX messages_channel_raw_idx ON messages (channel_id, wa_chat_id, wa_raw_id)`);
    await q.query(`CREATE INDEX messages_session_sent_idx ON messages (tenant_id, session_id, sent_at)`);
    await q.query(
      `CREATE INDEX messages_contact_created_idx ON messages (tenant_id, contact_id, created_at DESC, id DESC)`,
    );
    await q.query(`CREATE INDEX messages_tenant_created_idx ON messages (tenant_id, created_at DESC, id DESC)`);

    // Acks that overtook their message (WAHA does not order events); applied when the message lands.
    await q.query(`
      CREATE TABLE pending_message_acks (
        channel_id uuid NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
        external_id text NOT NULL,
        ack_level smallint NOT NULL,
        received_at timestamptz NOT NULL,
        PRIMARY KEY (channel_id, external_id)
      )`);

    await q.query(`
      CREATE TABLE ad_conversions (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        message_id uuid NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        contact_id uuid NOT NULL,
        session_id uuid NOT NULL,
        channel_id uuid NOT NULL,
        source_type text,
        source_id text,
        source_url text,
        ctwa_clid text,
        title text,
        body text,
        entry_point text,
        raw jsonb NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE UNIQUE INDEX ad_conversions_message_uq ON ad_conversions (message_id)`);
    await q.query(`CREATE INDEX ad_conversions_tenant_created_idx ON ad_conversions (tenant_id, created_at DESC)`);

    await q.query(`
      CREATE TABLE message_groups (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        session_id uuid NOT NULL REFERENCES sessions(id),
        channel_id uuid NOT NULL,
        message_ids uuid[] NOT NULL,
        first_message_at timestamptz NOT NULL,
        last_message_at timestamptz NOT NULL,
        completed_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX message_groups_session_idx ON message_groups (tenant_id, session_id, completed_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE message_groups`);
    await q.query(`DROP TABLE ad_conversions`);
    await q.query(`DROP TABLE pending_message_acks`);
    await q.query(`DROP TABLE messages`);
    await q.query(`DROP TABLE sessions`);
    await q.query(`DROP TABLE channels`);
    await q.query(`ALTER TABLE contacts DROP COLUMN first_touch`);
    await q.query(`ALTER TABLE tenants DROP COLUMN default_session_timeout_seconds`);
  }
}
