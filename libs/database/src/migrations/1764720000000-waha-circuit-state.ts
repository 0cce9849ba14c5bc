import { MigrationInterface, QueryRunner } from 'typeorm';

/** The last state of each channel's WAHA circuit breaker: the worker that holds the breaker records
 *  its transitions, the api shows them on the channel (a channel without a row is closed). */
export class WahaCircuitState1764720000000 implements MigrationInterface {
  name = 'WahaCircuitState1764720000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE waha_circuit_states (
        channel_id uuid PRIMARY KEY REFERENCES channels(id) ON DELETE CASCADE,
        tenant_id uuid NOT NULL,
        state text NOT NULL CHECK (state IN ('closed', 'open', 'half_open')),
        changed_at timestamptz NOT NULL,
        -- The failure that opened the breaker last; kept when it closes again.
        last_failure text
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE waha_circuit_states`);
  }
}
