import { MigrationInterface, QueryRunner } from 'typeorm';

/** Lets a saga publish its own pending events at once (claim by correlation id). */
export class OutboxCorrelationIndex1764202000000 implements MigrationInterface {
  name = 'OutboxCorrelationIndex1764202000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX outbox_events_pending_correlation_idx ON outbox_events (correlation_id) WHERE status = 'pending'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX outbox_events_pending_correlation_idx`);
  }
}
