import { MigrationInterface, QueryRunner } from 'typeorm';

export class PlatformContactsOutbox1764115200000 implements MigrationInterface {
  name = 'PlatformContactsOutbox1764115200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tenants (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        name text NOT NULL,
        key_prefix text NOT NULL,
        key_hash text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz
      )`);
    await q.query(`CREATE INDEX api_keys_tenant_idx ON api_keys (tenant_id)`);

    await q.query(`
      CREATE TABLE contacts (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        phone text NOT NULL,
        whatsapp_id text,
        name text,
        profile_picture_url text,
        source text NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        deleted_at timestamptz,
        version integer NOT NULL DEFAULT 1
      )`);
    // One live contact per phone and tenant: this index is what makes findOrCreateByPhone race-free.
    await q.query(
      `CREATE UNIQUE INDEX contacts_tenant_phone_live_uq ON contacts (tenant_id, phone) WHERE deleted_at IS NULL`,
    );
    await q.query(
      `CREATE INDEX contacts_tenant_created_idx ON contacts (tenant_id, created_at DESC, id DESC) WHERE deleted_at IS NULL`,
    );
    await q.query(
      `CREATE INDEX contacts_tenant_phone_prefix_idx ON contacts (tenant_id, phone text_pattern_ops) WHERE deleted_at IS NULL`,
    );

    await q.query(`
      CREATE TABLE outbox_events (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        aggregate_type text NOT NULL,
        aggregate_id text NOT NULL,
        type text NOT NULL,
        payload jsonb NOT NULL,
        occurred_at timestamptz NOT NULL,
        correlation_id text,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'published', 'failed', 'dead')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        locked_until timestamptz,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        published_at timestamptz
      )`);
    await q.query(`CREATE INDEX outbox_events_status_next_attempt_idx ON outbox_events (status, next_attempt_at)`);
    await q.query(
      `CREATE INDEX outbox_events_tenant_status_created_idx ON outbox_events (tenant_id, status, created_at DESC, id DESC)`,
    );
    await q.query(
      `CREATE INDEX outbox_events_published_at_idx ON outbox_events (published_at) WHERE status = 'published'`,
    );

    // One NOTIFY per inserting statement (not per row): identical notifications in a transaction
    // collapse into one, and it is delivered only on commit, so rolled-back events never wake anyone.
    await q.query(`
      CREATE FUNCTION notify_outbox_events() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('outbox_events', '');
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER outbox_events_notify AFTER INSERT ON outbox_events
      FOR EACH STATEMENT EXECUTE FUNCTION notify_outbox_events()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE outbox_events`);
    await q.query(`DROP FUNCTION notify_outbox_events()`);
    await q.query(`DROP TABLE contacts`);
    await q.query(`DROP TABLE api_keys`);
    await q.query(`DROP TABLE tenants`);
  }
}
