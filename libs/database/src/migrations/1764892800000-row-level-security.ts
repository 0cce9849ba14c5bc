import { MigrationInterface, QueryRunner } from 'typeorm';

/** The role the applications connect as: not the owner of the tables and not a superuser, so the
 *  policies below apply to it (owners and superusers bypass row-level security). */
export const APP_ROLE = 'crm_app';

/**
 * Row-level security as a second wall behind the tenant-scoped repositories: every table with a
 * `tenant_id` shows a transaction only the rows of the tenant it set (`app.tenant_id`, set per
 * transaction by TransactionContext.forTenant), or every row when it runs as the system
 * (`app.system = 'on'`, set only by TransactionContext.asSystem) and has no tenant set. A missing
 * setting shows nothing and lets nothing be written. FORCE makes the policies bind a non-superuser
 * table owner too; the migration connection runs as the system for that reason (dataSourceOptions).
 *
 * The role is created NOLOGIN when missing (roles are cluster-wide, so it may already exist): the
 * deployment grants it LOGIN and a password, or pre-creates it, and sets DATABASE_URL to it.
 */
export class RowLevelSecurity1764892800000 implements MigrationInterface {
  name = 'RowLevelSecurity1764892800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN
          CREATE ROLE ${APP_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
        END IF;
      END $$`);
    await q.query(`GRANT USAGE ON SCHEMA public TO ${APP_ROLE}`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${APP_ROLE}`);
    await q.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${APP_ROLE}`);
    // Tables and sequences later migrations create (as this same owner) get the same grants.
    await q.query(
      `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${APP_ROLE}`,
    );
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${APP_ROLE}`);
    // The migration history is the owner's business.
    await q.query(`REVOKE ALL ON schema_migrations FROM ${APP_ROLE}`);

    for (const table of await tenantTables(q)) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await q.query(
        `CREATE POLICY tenant_isolation ON ${table} USING (${TENANT_VISIBLE}) WITH CHECK (${TENANT_VISIBLE})`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of await tenantTables(q)) {
      await q.query(`DROP POLICY IF EXISTS tenant_isolation ON ${table}`);
      await q.query(`ALTER TABLE ${table} NO FORCE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY`);
    }
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM ${APP_ROLE}`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM ${APP_ROLE}`);
    await q.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${APP_ROLE}`);
    await q.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${APP_ROLE}`);
    await q.query(`REVOKE USAGE ON SCHEMA public FROM ${APP_ROLE}`);
    // The role stays: other databases of the cluster (and the deployment's grants) may use it.
  }
}

/**
 * The row filter and write check of every tenant table. `nullif` turns the empty string a
 * transaction-local setting leaves behind on a pooled connection into NULL, so "not set" never
 * casts '' (an error) and matches no row. The system clause needs the tenant unset: a tenant
 * transaction that also sets the flag still sees one tenant.
 */
export const TENANT_VISIBLE =
  `tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid` +
  ` OR (current_setting('app.system', true) = 'on' AND nullif(current_setting('app.tenant_id', true), '') IS NULL)`;

/** Every table of the schema with a tenant_id column. A later migration that adds a tenant table
 *  must add its policy (the row-level security test fails until it does). */
async function tenantTables(q: QueryRunner): Promise<string[]> {
  const rows: { table_name: string }[] = await q.query(
    `SELECT c.relname AS table_name
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
      ORDER BY c.relname`,
  );
  return rows.map((row) => row.table_name);
}
