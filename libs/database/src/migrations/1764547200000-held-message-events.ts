import { MigrationInterface, QueryRunner } from 'typeorm';

/** Revokes and reactions that overtook their message (WAHA does not order events): held until the
 *  message is created, then applied in the same transaction; dropped after a retention period. */
export class HeldMessageEvents1764547200000 implements MigrationInterface {
  name = 'HeldMessageEvents1764547200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE held_message_events (
        id bigserial PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        channel_id uuid NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
        wa_chat_id text NOT NULL,
        wa_raw_id text NOT NULL,
        -- The message's fromMe; null for revokes, which name only chat and raw id.
        from_me boolean,
        kind text NOT NULL CHECK (kind IN ('revoke', 'reaction')),
        -- What makes a repeat the same event: '' for the one revoke of a message, the reaction's WAHA id.
        dedup_key text NOT NULL,
        occurred_at timestamptz NOT NULL,
        reactor_id text,
        emoji text,
        held_at timestamptz NOT NULL,
        CHECK ((kind = 'reaction') = (reactor_id IS NOT NULL AND emoji IS NOT NULL))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX held_message_events_event_uq ON held_message_events (channel_id, wa_chat_id, wa_raw_id, kind, dedup_key)`,
    );
    await q.query(`CREATE INDEX held_message_events_held_at_idx ON held_message_events (held_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE held_message_events`);
  }
}
