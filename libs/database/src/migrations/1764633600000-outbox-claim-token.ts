import { MigrationInterface, QueryRunner } from 'typeorm';

/** Claim tokens: every claim writes a fresh `claim_token`, and a relay records its outcome only while
 *  its token is still the row's, so a relay whose lease expired cannot overwrite the outcome of the
 *  claim that took the event over. Plus the index the retention cleanup uses to keep events that
 *  unfinished webhook deliveries still read. */
export class OutboxClaimToken1764633600000 implements MigrationInterface {
  name = 'OutboxClaimToken1764633600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox_events ADD COLUMN claim_token uuid`);
    await q.query(
      `CREATE INDEX webhook_deliveries_unfinished_event_idx ON webhook_deliveries (event_id) WHERE status IN ('held', 'pending', 'failed')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX webhook_deliveries_unfinished_event_idx`);
    await q.query(`ALTER TABLE outbox_events DROP COLUMN claim_token`);
  }
}
