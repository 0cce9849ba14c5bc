import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createTestDatabase, ownerUrl } from '../../../test/support/database';
import { dataSourceOptions } from './data-source-options';
import { APP_ROLE } from './migrations/1764892800000-row-level-security';
import { RowScopeConflictError, TransactionContext } from './transaction-context';

/** One row in every tenant table for `tenantId`, written as the owner (postgres, which bypasses RLS).
 *  A new tenant table needs a line here: the coverage test below names the table that has none. */
async function seedTenant(owner: Client, tenantId: string): Promise<void> {
  const id = () => randomUUID();
  const [channel, contact, session, message, subscription, importId] = [id(), id(), id(), id(), id(), id()];
  const statements: [string, unknown[]][] = [
    [`INSERT INTO tenants (id, name) VALUES ($1, 'tenant')`, [tenantId]],
    [
      `INSERT INTO api_keys (tenant_id, name, key_prefix, key_hash, scopes) VALUES ($1, 'k', 'crm_', $2, '{read}')`,
      [tenantId, id()],
    ],
    [
      `INSERT INTO channels (id, tenant_id, name, waha_base_url, waha_session, webhook_secret_enc, created_at, updated_at)
      VALUES ($1, $2, $3, 'http://127.0.0.1:1', 'default', 'x', now(), now())`,
      [channel, tenantId, channel],
    ],
    [
      `INSERT INTO contacts (id, tenant_id, phone, source, created_at, updated_at) VALUES ($1, $2, '5511999990000', 'test', now(), now())`,
      [contact, tenantId],
    ],
    [
      `INSERT INTO sessions (id, tenant_id, contact_id, channel_id, status, started_at, last_activity_at, timeout_seconds, created_at, updated_at)
      VALUES ($1, $2, $3, $4, 'active', now(), now(), 60, now(), now())`,
      [session, tenantId, contact, channel],
    ],
    [
      `INSERT INTO messages (id, tenant_id, session_id, contact_id, channel_id, direction, external_id, wa_chat_id, wa_raw_id, type, status, sent_at, created_at, updated_at)
      VALUES ($1, $2, $3, $4, $5, 'inbound', $6, 'c', 'r', 'text', 'received', now(), now(), now())`,
      [message, tenantId, session, contact, channel, message],
    ],
    [
      `INSERT INTO ad_conversions (id, tenant_id, message_id, contact_id, session_id, channel_id, raw, created_at)
      VALUES ($1, $2, $3, $4, $5, $6, '{}', now())`,
      [id(), tenantId, message, contact, session, channel],
    ],
    [
      `INSERT INTO message_groups (id, tenant_id, session_id, channel_id, message_ids, first_message_at, last_message_at, completed_at)
      VALUES ($1, $2, $3, $4, ARRAY[$5::uuid], now(), now(), now())`,
      [id(), tenantId, session, channel, message],
    ],
    [
      `INSERT INTO outbox_events (id, tenant_id, aggregate_type, aggregate_id, type, payload, occurred_at)
      VALUES ($1, $2, 'contact', $3, 'contact.created', '{}', now())`,
      [id(), tenantId, contact],
    ],
    [
      `INSERT INTO webhook_subscriptions (id, tenant_id, url, event_types, secret_enc, max_attempts, created_at, updated_at)
      VALUES ($1, $2, 'https://example.com/hook', ARRAY['*'], 'x', 5, now(), now())`,
      [subscription, tenantId],
    ],
    [
      `INSERT INTO webhook_deliveries (id, tenant_id, subscription_id, event_id, event_type, status, created_at, updated_at)
      VALUES ($1, $2, $3, $4, 'contact.created', 'pending', now(), now())`,
      [id(), tenantId, subscription, id()],
    ],
    [
      `INSERT INTO held_message_events (tenant_id, channel_id, wa_chat_id, wa_raw_id, kind, dedup_key, occurred_at, held_at)
      VALUES ($1, $2, 'c', 'r', 'revoke', $3, now(), now())`,
      [tenantId, channel, id()],
    ],
    [
      `INSERT INTO waha_circuit_states (channel_id, tenant_id, state, changed_at) VALUES ($1, $2, 'closed', now())`,
      [channel, tenantId],
    ],
    [
      `INSERT INTO history_imports (id, tenant_id, channel_id, workflow_id, status, started_at, updated_at)
      VALUES ($1, $2, $3, $4, 'running', now(), now())`,
      [importId, tenantId, channel, importId],
    ],
    [
      `INSERT INTO history_import_chats (import_id, chat_id, tenant_id, updated_at) VALUES ($1, 'chat', $2, now())`,
      [importId, tenantId],
    ],
    [
      `INSERT INTO history_import_messages (channel_id, external_id, import_id, tenant_id, chat_id, contact_id, direction, wa_chat_id, wa_raw_id, type, status, sent_at, metadata)
      VALUES ($1, $2, $3, $4, 'chat', $5, 'inbound', 'c', 'r', 'text', 'received', now(), '{}')`,
      [channel, id(), importId, tenantId, contact],
    ],
    [
      `INSERT INTO buffered_webhook_events (tenant_id, channel_id, import_id, body, received_at) VALUES ($1, $2, $3, '{}', now())`,
      [tenantId, channel, importId],
    ],
  ];
  for (const [sql, params] of statements) await owner.query(sql, params);
}

describe('row-level security (connected as the application role)', () => {
  let owner: Client;
  let app: DataSource;
  let tx: TransactionContext;
  let tables: string[];
  const tenantA = randomUUID();
  const tenantB = randomUUID();

  beforeAll(async () => {
    const appUrl = await createTestDatabase();
    owner = new Client({ connectionString: ownerUrl(appUrl) });
    await owner.connect();
    app = new DataSource(dataSourceOptions(appUrl, 4));
    await app.initialize();
    tx = new TransactionContext(app);
    const rows: { relname: string }[] = (
      await owner.query(
        `SELECT c.relname FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
           JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
          WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY 1`,
      )
    ).rows;
    tables = rows.map((row) => row.relname);
    await seedTenant(owner, tenantA);
    await seedTenant(owner, tenantB);
  });

  afterAll(async () => {
    await app?.destroy();
    await owner?.end();
  });

  const countAll = (table: string) => `SELECT count(*)::int AS n FROM ${table}`;

  it('connects as a role that is neither superuser, nor owner, nor exempt from row security', async () => {
    const [role] = await app.query(
      `SELECT current_user AS name, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user`,
    );
    expect(role).toEqual({ name: APP_ROLE, rolsuper: false, rolbypassrls: false });
    const owned = await owner.query(`SELECT count(*)::int AS n FROM pg_class WHERE relowner = $1::regrole`, [APP_ROLE]);
    expect(owned.rows[0].n).toBe(0);
  });

  it('enables and forces row-level security, with a tenant policy, on every table with a tenant_id', async () => {
    expect(tables).toEqual(
      expect.arrayContaining(['contacts', 'sessions', 'messages', 'outbox_events', 'webhook_deliveries', 'api_keys']),
    );
    const { rows } = await owner.query(
      `SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
              EXISTS (SELECT FROM pg_policies p WHERE p.tablename = c.relname AND p.cmd = 'ALL'
                        AND p.qual LIKE '%app.tenant_id%' AND p.with_check LIKE '%app.tenant_id%') AS has_policy
         FROM pg_class c WHERE c.relname = ANY($1) ORDER BY 1`,
      [tables],
    );
    expect(rows).toEqual(
      tables.map((relname) => ({ relname, relrowsecurity: true, relforcerowsecurity: true, has_policy: true })),
    );
  });

  it('has a seeded row of both tenants in every tenant table (so the checks below see something)', async () => {
    for (const table of tables) {
      const { rows } = await owner.query(
        `SELECT count(DISTINCT tenant_id)::int AS n FROM ${table} WHERE tenant_id = ANY($1)`,
        [[tenantA, tenantB]],
      );
      expect({ table, tenants: rows[0].n }).toEqual({ table, tenants: 2 });
    }
  });

  it('shows nothing, in any tenant table, to a query without a tenant', async () => {
    for (const table of tables) {
      const [{ n }] = await app.query(countAll(table));
      expect({ table, visible: n }).toEqual({ table, visible: 0 });
    }
  });

  it('refuses an insert without a tenant, and an insert for another tenant than the one set', async () => {
    const insert = (manager: { query: DataSource['query'] }, tenantId: string) =>
      manager.query(
        `INSERT INTO outbox_events (id, tenant_id, aggregate_type, aggregate_id, type, payload, occurred_at) VALUES ($1, $2, 'x', 'x', 'x.y', '{}', now())`,
        [randomUUID(), tenantId],
      );
    await expect(insert(app, tenantA)).rejects.toThrow(/row-level security/);
    await expect(tx.forTenant(tenantB, (m) => insert(m, tenantA))).rejects.toThrow(/row-level security/);
    await expect(tx.forTenant(tenantA, (m) => insert(m, tenantA))).resolves.toBeDefined();
  });

  it("shows a tenant's transaction only its own rows, in every tenant table", async () => {
    for (const table of tables) {
      const seen: { tenant_id: string }[] = await tx.forTenant(tenantA, (m) =>
        m.query(`SELECT DISTINCT tenant_id FROM ${table}`),
      );
      expect({ table, tenants: seen.map((row) => row.tenant_id) }).toEqual({ table, tenants: [tenantA] });
    }
  });

  it("cannot update or delete another tenant's rows from a tenant's transaction", async () => {
    const updated = await tx.forTenant(tenantA, (m) =>
      m.query(`UPDATE contacts SET name = 'stolen' WHERE tenant_id = $1`, [tenantB]),
    );
    const deleted = await tx.forTenant(tenantA, (m) => m.query(`DELETE FROM sessions WHERE tenant_id = $1`, [tenantB]));
    expect([updated[1], deleted[1]]).toEqual([0, 0]);
    const { rows } = await owner.query(
      `SELECT count(*)::int AS n FROM contacts WHERE tenant_id = $1 AND name = 'stolen'`,
      [tenantB],
    );
    expect(rows[0].n).toBe(0);
  });

  it('shows the system every tenant, in every tenant table', async () => {
    for (const table of tables) {
      const seen: { tenant_id: string }[] = await tx.asSystem((m) =>
        m.query(`SELECT DISTINCT tenant_id FROM ${table} WHERE tenant_id = ANY($1) ORDER BY 1`, [[tenantA, tenantB]]),
      );
      expect({ table, tenants: seen.map((row) => row.tenant_id) }).toEqual({
        table,
        tenants: [tenantA, tenantB].sort(),
      });
    }
  });

  it('keeps the setting inside its transaction: the pooled connection sees nothing afterwards', async () => {
    await tx.asSystem((m) => m.query(countAll('contacts')));
    await tx.forTenant(tenantA, (m) => m.query(countAll('contacts')));
    // A pool of 4: every connection has served a scoped transaction by now.
    const counts = await Promise.all([0, 1, 2, 3].map(() => app.query(countAll('contacts'))));
    expect(counts.map(([{ n }]) => n)).toEqual([0, 0, 0, 0]);
  });

  it("cannot widen a tenant's transaction to the system: not through the helper, not through the flag", async () => {
    await expect(tx.forTenant(tenantA, () => tx.asSystem((m) => m.query(countAll('contacts'))))).rejects.toThrow(
      RowScopeConflictError,
    );
    await expect(
      tx.forTenant(tenantA, () => tx.forTenant(tenantB, (m) => m.query(countAll('contacts')))),
    ).rejects.toThrow(RowScopeConflictError);
    const seen: { tenant_id: string }[] = await tx.forTenant(tenantA, async (m) => {
      await m.query(`SELECT set_config('app.system', 'on', true)`);
      return m.query(`SELECT DISTINCT tenant_id FROM contacts`);
    });
    expect(seen.map((row) => row.tenant_id)).toEqual([tenantA]);
  });

  it('sets the tenant once per transaction: a unit of work joins it, and repeats for the same tenant are free', async () => {
    const counts = await tx.transaction(async () => {
      const first: { n: number }[] = await tx.forTenant(tenantA, (m) => m.query(countAll('contacts')));
      const again: { n: number }[] = await tx.forTenant(tenantA, (m) => m.query(countAll('contacts')));
      return [first[0].n, again[0].n];
    });
    expect(counts).toEqual([1, 1]);
  });

  it('sees nothing for a tenant id that is not a uuid (instead of failing on the cast)', async () => {
    const [{ n }] = await tx.forTenant('not-a-uuid', (m) => m.query(countAll('contacts')));
    expect(n).toBe(0);
  });
});
