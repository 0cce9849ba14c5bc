import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * API key scopes and the shared request counters of the API's rate limiter.
 *
 * Keys that exist already get every scope, so nothing that works today stops working; new keys
 * name theirs (no default: a key's power is always chosen, never assumed).
 *
 * rate_limit_hits: one row per tracker (an API key, or a client address for unauthenticated
 * calls) and window, shared by every api pod. UNLOGGED: counters are rewritten on most requests and
 * worth nothing after a crash, so they skip the WAL (a crash empties the table: limits restart).
 */
export class ApiKeyScopesRateLimits1764979200000 implements MigrationInterface {
  name = 'ApiKeyScopesRateLimits1764979200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_keys ADD COLUMN scopes text[] NOT NULL DEFAULT ARRAY['read', 'write', 'admin']`);
    await q.query(`ALTER TABLE api_keys ALTER COLUMN scopes DROP DEFAULT`);
    await q.query(
      `ALTER TABLE api_keys ADD CONSTRAINT api_keys_scopes_check CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['read', 'write', 'admin'])`,
    );
    // Listing a tenant's keys newest first (keyset over created_at, id).
    await q.query(`CREATE INDEX api_keys_tenant_created_idx ON api_keys (tenant_id, created_at DESC, id DESC)`);
    await q.query(`DROP INDEX api_keys_tenant_idx`);

    await q.query(`
      CREATE UNLOGGED TABLE rate_limit_hits (
        key text PRIMARY KEY,
        hits integer NOT NULL,
        window_ends_at timestamptz NOT NULL,
        blocked_until timestamptz
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rate_limit_hits`);
    await q.query(`CREATE INDEX api_keys_tenant_idx ON api_keys (tenant_id)`);
    await q.query(`DROP INDEX api_keys_tenant_created_idx`);
    await q.query(`ALTER TABLE api_keys DROP CONSTRAINT api_keys_scopes_check`);
    await q.query(`ALTER TABLE api_keys DROP COLUMN scopes`);
  }
}
