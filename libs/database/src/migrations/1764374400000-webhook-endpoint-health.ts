import { MigrationInterface, QueryRunner } from 'typeorm';

/** Endpoint health of a subscription: when its endpoint started failing (endpoint backoff). */
export class WebhookEndpointHealth1764374400000 implements MigrationInterface {
  name = 'WebhookEndpointHealth1764374400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhook_subscriptions ADD COLUMN failing_since timestamptz NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhook_subscriptions DROP COLUMN failing_since`);
  }
}
