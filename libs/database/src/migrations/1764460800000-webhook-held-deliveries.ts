import { MigrationInterface, QueryRunner } from 'typeorm';

/** Held deliveries: created while their endpoint is failing, started by the held-delivery release. */
export class WebhookHeldDeliveries1764460800000 implements MigrationInterface {
  name = 'WebhookHeldDeliveries1764460800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_status_check`);
    await q.query(
      `ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_status_check CHECK (status IN ('held', 'pending', 'delivered', 'failed', 'dead'))`,
    );
    // The release's reads: the oldest held row per subscription, and whether a run is under way.
    await q.query(
      `CREATE INDEX webhook_deliveries_held_idx ON webhook_deliveries (subscription_id, created_at, id) WHERE status = 'held'`,
    );
    await q.query(
      `CREATE INDEX webhook_deliveries_unfinished_idx ON webhook_deliveries (subscription_id, updated_at) WHERE status IN ('pending', 'failed')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX webhook_deliveries_unfinished_idx`);
    await q.query(`DROP INDEX webhook_deliveries_held_idx`);
    // Without the release a held row would never start: it goes back to pending, for a replay.
    await q.query(`UPDATE webhook_deliveries SET status = 'pending' WHERE status = 'held'`);
    await q.query(`ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_status_check`);
    await q.query(
      `ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_status_check CHECK (status IN ('pending', 'delivered', 'failed', 'dead'))`,
    );
  }
}
