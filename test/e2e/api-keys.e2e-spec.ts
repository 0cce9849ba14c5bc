import { createHash, randomUUID } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { signWahaBody } from '@app/inbound';
import { TenantService } from '@app/tenant';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { PostgresThrottlerStorage } from '../../apps/api/src/platform/rate-limit/postgres-throttler.storage';
import { freshWahaFixture } from '../fixtures/waha';
import { createTestDatabase, ownerView } from '../support/database';
import { eventually } from '../support/nest';
import { TestEnv } from '../support/test-env';

type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';
interface Operation {
  method: Method;
  path: string;
  description?: string;
  security?: Record<string, string[]>[];
  parameters: { name: string; in: string; required?: boolean }[];
  responses: Record<string, unknown>;
}
interface Reply {
  status: number;
  headers: Headers;
  text: string;
  body: Record<string, any> | undefined;
}

/** Routes that take no API key: they say who may call them in their own way (HMAC, none). */
const PUBLIC_ROUTES = new Set(['get /health/live', 'get /health/ready', 'post /v1/channels/{channelId}/waha/events']);
/** Routes that need `admin`: key management and the Temporal codec. Every other GET needs `read`,
 *  every other change `write`. */
const ADMIN_PATH = /^\/v1\/(api-keys|codec)(\/|$)/;

async function startApi(env: Record<string, string>): Promise<{ app: INestApplication; base: string }> {
  Object.assign(process.env, {
    TEMPORAL_ADDRESS: TestEnv.temporalAddress(),
    TEMPORAL_NAMESPACE: 'default',
    LOG_LEVEL: 'silent',
    INBOUND_MODE: 'direct',
    ...env,
  });
  delete process.env.DEV_API_KEY;
  const app = await createApiApp({ logger: false });
  await app.listen(0, '127.0.0.1');
  return { app, base: await app.getUrl() };
}

async function call(
  base: string,
  method: string,
  path: string,
  opts: { key?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const res = await fetch(`${base}${path}`, {
    method: method.toUpperCase(),
    headers: {
      ...(opts.key ? { 'x-api-key': opts.key } : {}),
      ...(opts.body !== undefined || opts.raw !== undefined ? { 'content-type': 'application/json' } : {}),
      ...opts.headers,
    },
    body: opts.raw ?? (opts.body !== undefined ? JSON.stringify(opts.body) : undefined),
  });
  const text = await res.text();
  let body: Record<string, any> | undefined;
  try {
    body = text ? (JSON.parse(text) as Record<string, any>) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, text, body };
}

/**
 * API keys end to end on the real app: key management, scopes on every route of the Swagger
 * document, Bearer auth, coarse last-use recording, per-key rate limits shared by two api
 * instances through Postgres, and body size limits.
 */
describe('API keys, scopes and limits (e2e)', () => {
  describe('one api instance', () => {
    let app: INestApplication;
    let base: string;
    let db: DataSource;
    let tenantId: string;
    let adminKey: string;
    let adminKeyId: string;

    beforeAll(async () => {
      ({ app, base } = await startApi({ DATABASE_URL: await createTestDatabase() }));
      // Rows are checked as the owner: the app's role sees only a tenant's rows (row-level security).
      db = await ownerView(app.get(DataSource));
      const issued = await app.get(TenantService).createTenant('Keys tenant');
      tenantId = issued.tenant.id;
      adminKey = issued.apiKey;
      adminKeyId = issued.apiKeyId;
    });
    afterAll(() => app?.close());

    const createKey = async (scopes: string[], name = `key ${scopes.join('+')}`) => {
      const res = await call(base, 'post', '/v1/api-keys', { key: adminKey, body: { name, scopes } });
      expect(res.status).toBe(201);
      return res.body as { id: string; key: string; scopes: string[]; prefix: string };
    };

    it("creates a key once in plaintext, lists the tenant's keys without it, and stores only its hash", async () => {
      const created = await call(base, 'post', '/v1/api-keys', {
        key: adminKey,
        body: { name: 'Sync job', scopes: ['write'] },
      });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.any(String),
        name: 'Sync job',
        key: expect.stringMatching(/^crm_[A-Za-z0-9_-]{43}$/),
        prefix: created.body!.key.slice(0, 10),
        scopes: ['read', 'write'],
        createdAt: expect.any(String),
        lastUsedAt: null,
        revokedAt: null,
      });
      const plaintext: string = created.body!.key;
      expect((await call(base, 'get', '/v1/contacts', { key: plaintext })).status).toBe(200);

      const list = await call(base, 'get', '/v1/api-keys', { key: adminKey });
      expect(list.status).toBe(200);
      expect(list.text).not.toContain(plaintext);
      expect(list.text).not.toContain(adminKey);
      const listed = list.body!.data as Record<string, unknown>[];
      expect(listed.map((k) => k.id)).toEqual(expect.arrayContaining([created.body!.id, adminKeyId]));
      for (const key of listed)
        expect(Object.keys(key).sort()).toEqual([
          'createdAt',
          'id',
          'lastUsedAt',
          'name',
          'prefix',
          'revokedAt',
          'scopes',
        ]);
      expect(listed.find((k) => k.id === adminKeyId)).toMatchObject({
        scopes: ['read', 'write', 'admin'],
        lastUsedAt: expect.any(String),
      });

      const [row] = await db.query(`SELECT key_hash, scopes, t::text AS whole_row FROM api_keys t WHERE id = $1`, [
        created.body!.id,
      ]);
      expect(row.key_hash).toBe(createHash('sha256').update(plaintext).digest('hex'));
      expect(row.scopes).toEqual(['read', 'write']);
      expect(row.whole_row).not.toContain(plaintext);
    });

    it('refuses a bad body naming the field', async () => {
      for (const [body, field] of [
        [{ name: 'x', scopes: ['root'] }, 'scopes'],
        [{ name: 'x', scopes: [] }, 'scopes'],
        [{ name: 'x' }, 'scopes'],
        [{ scopes: ['read'] }, 'name'],
        [{ name: '', scopes: ['read'] }, 'name'],
      ] as const) {
        const res = await call(base, 'post', '/v1/api-keys', { key: adminKey, body });
        expect({ body, status: res.status }).toEqual({ body, status: 400 });
        expect([res.body!.message].flat().join(' ')).toContain(field);
      }
    });

    it("revokes a key (404 for an unknown one or another tenant's), but never the last admin key", async () => {
      const writeKey = await createKey(['write']);
      expect((await call(base, 'delete', `/v1/api-keys/${randomUUID()}`, { key: adminKey })).status).toBe(404);
      const other = await app.get(TenantService).createTenant('Other tenant');
      const foreign = await call(base, 'delete', `/v1/api-keys/${other.apiKeyId}`, { key: adminKey });
      expect(foreign.status).toBe(404);
      expect((await call(base, 'get', '/v1/contacts', { key: other.apiKey })).status).toBe(200);

      expect((await call(base, 'delete', `/v1/api-keys/${writeKey.id}`, { key: adminKey })).status).toBe(204);
      const revoked = await call(base, 'get', '/v1/contacts', { key: writeKey.key });
      expect({ status: revoked.status, code: revoked.body!.code }).toEqual({ status: 401, code: 'API_KEY_INVALID' });
      expect((await call(base, 'delete', `/v1/api-keys/${writeKey.id}`, { key: adminKey })).status).toBe(204); // again: no change
      const listed = (await call(base, 'get', '/v1/api-keys', { key: adminKey })).body!.data as {
        id: string;
        revokedAt: string | null;
      }[];
      expect(listed.find((k) => k.id === writeKey.id)!.revokedAt).toEqual(expect.any(String));

      // The last active admin key stays: nobody could manage keys without one.
      const last = await call(base, 'delete', `/v1/api-keys/${adminKeyId}`, { key: adminKey });
      expect({ status: last.status, code: last.body!.code }).toEqual({ status: 409, code: 'LAST_ADMIN_KEY' });
      // With a second admin key, a key may revoke itself (a leaked key, revoked with itself).
      const second = await createKey(['admin'], 'second admin');
      expect(second.scopes).toEqual(['read', 'write', 'admin']);
      expect((await call(base, 'delete', `/v1/api-keys/${second.id}`, { key: second.key })).status).toBe(204);
      expect((await call(base, 'get', '/v1/api-keys', { key: second.key })).status).toBe(401);
      expect((await call(base, 'get', '/v1/api-keys', { key: adminKey })).status).toBe(200);
    });

    it('takes the key from x-api-key or Authorization: Bearer, and names what is wrong', async () => {
      const bearer = await call(base, 'get', '/v1/contacts', { headers: { authorization: `Bearer ${adminKey}` } });
      expect(bearer.status).toBe(200);
      const missing = await call(base, 'get', '/v1/contacts');
      expect({ status: missing.status, code: missing.body!.code }).toEqual({ status: 401, code: 'API_KEY_MISSING' });
      expect(missing.body!.message).toContain('x-api-key');
      const basic = await call(base, 'get', '/v1/contacts', {
        headers: { authorization: `Basic ${Buffer.from(`u:${adminKey}`).toString('base64')}` },
      });
      expect({ status: basic.status, code: basic.body!.code }).toEqual({ status: 401, code: 'API_KEY_MISSING' });
      const wrong = await call(base, 'get', '/v1/contacts', {
        headers: { authorization: 'Bearer crm_not-a-real-key-at-all' },
      });
      expect({ status: wrong.status, code: wrong.body!.code }).toEqual({ status: 401, code: 'API_KEY_INVALID' });
    });

    async function operations(): Promise<Operation[]> {
      const doc = await call(base, 'get', '/docs-json');
      expect(doc.status).toBe(200);
      return Object.entries(
        doc.body!.paths as Record<string, Record<string, Omit<Operation, 'method' | 'path'>>>,
      ).flatMap(([path, methods]) =>
        Object.entries(methods)
          .filter(([method]) => ['get', 'post', 'patch', 'put', 'delete'].includes(method))
          .map(([method, op]) => ({ ...op, method: method as Method, path, parameters: op.parameters ?? [] })),
      );
    }

    /** The one scope an operation's security requirement names, or null for a public one. */
    function requiredScope(op: Operation): string | null {
      if (!op.security || op.security.length === 0) return null;
      expect({ route: `${op.method} ${op.path}`, security: op.security }).toEqual({
        route: `${op.method} ${op.path}`,
        security: [{ 'api-key': [expect.any(String)] }],
      });
      return op.security[0]!['api-key']![0]!;
    }

    function concreteUrl(op: Operation): string {
      let url = op.path.replace(/\{[^}]+\}/g, () => randomUUID());
      const required = op.parameters
        .filter((p) => p.in === 'query' && p.required)
        .map((p) => `${p.name}=${p.name === 'since' ? new Date(0).toISOString() : 'x'}`);
      if (required.length > 0) url += `?${required.join('&')}`;
      return url;
    }

    it('documents exactly one required scope on every non-public operation of the Swagger document, by the rule', async () => {
      const ops = await operations();
      expect(ops.length).toBeGreaterThan(30);
      const byScope: Record<string, string[]> = { read: [], write: [], admin: [] };
      for (const op of ops) {
        const route = `${op.method} ${op.path}`;
        const scope = requiredScope(op);
        if (scope === null) {
          expect({ route, public: PUBLIC_ROUTES.has(route) }).toEqual({ route, public: true });
          continue;
        }
        const expected = ADMIN_PATH.test(op.path) ? 'admin' : op.method === 'get' ? 'read' : 'write';
        expect({ route, scope }).toEqual({ route, scope: expected });
        expect({ route, description: op.description?.split('\n')[0] }).toEqual({
          route,
          description: `Required scope: \`${scope}\`.`,
        });
        expect({ route, documented: ['401', '403', '429'].filter((status) => status in op.responses) }).toEqual({
          route,
          documented: ['401', '403', '429'],
        });
        byScope[scope]!.push(route);
      }
      expect(byScope.read!.length).toBeGreaterThan(10);
      expect(byScope.write!.length).toBeGreaterThan(10);
      expect(byScope.admin).toEqual(
        expect.arrayContaining(['post /v1/api-keys', 'get /v1/api-keys', 'delete /v1/api-keys/{id}']),
      );
    });

    it('enforces the documented scope on every route: 403 INSUFFICIENT_SCOPE below it, never 403 at or above it', async () => {
      const readKey = await createKey(['read']);
      const writeKey = await createKey(['write']);
      const ops = (await operations()).filter((op) => requiredScope(op) !== null);
      const before = await db.query(`SELECT count(*)::int AS n FROM outbox_events WHERE tenant_id = $1`, [tenantId]);
      const seen: string[] = [];
      for (const op of ops) {
        const route = `${op.method} ${op.path}`;
        const scope = requiredScope(op)!;
        const url = concreteUrl(op);
        const body = op.method === 'get' || op.method === 'delete' ? undefined : {};
        const tooWeak = scope === 'read' ? [] : scope === 'write' ? [readKey] : [readKey, writeKey];
        for (const key of tooWeak) {
          const res = await call(base, op.method, url, { key: key.key, body });
          expect({ route, key: key.scopes, status: res.status, code: res.body?.code }).toEqual({
            route,
            key: key.scopes,
            status: 403,
            code: 'INSUFFICIENT_SCOPE',
          });
          expect({ route, message: res.body?.message }).toEqual({
            route,
            message: expect.stringContaining(`'${scope}'`),
          });
        }
        const strongEnough = scope === 'read' ? [readKey, writeKey] : scope === 'write' ? [writeKey] : [];
        for (const key of [...strongEnough, { key: adminKey, scopes: ['read', 'write', 'admin'] }]) {
          // Past the guard: the route's own answer (404 for the random ids, 400 for the empty body, ...).
          const res = await call(base, op.method, url, { key: key.key, body });
          expect({
            route,
            key: key.scopes,
            status: res.status,
            forbiddenOrUnauthenticated: [401, 403].includes(res.status),
            serverError: res.status >= 500,
          }).toEqual({
            route,
            key: key.scopes,
            status: res.status,
            forbiddenOrUnauthenticated: false,
            serverError: false,
          });
        }
        seen.push(`${route} ${scope}`);
      }
      expect(seen.length).toBe(ops.length);
      // Nothing the refused calls could have changed was changed.
      expect(await db.query(`SELECT count(*)::int AS n FROM outbox_events WHERE tenant_id = $1`, [tenantId])).toEqual(
        before,
      );
    });

    it('answers 413 PAYLOAD_TOO_LARGE to a REST body over 1 MiB, and takes up to 5 MiB on the WAHA receiver', async () => {
      const justUnder = JSON.stringify({ phone: '+5511988880001', name: 'x'.repeat(1024 * 1024 - 100) });
      const under = await call(base, 'post', '/v1/contacts', { key: adminKey, raw: justUnder });
      expect(under.status).toBe(400); // read and validated (the name is too long), not refused for its size
      const over = await call(base, 'post', '/v1/contacts', {
        key: adminKey,
        raw: JSON.stringify({ phone: '+5511988880001', name: 'x'.repeat(1024 * 1024 + 1) }),
      });
      expect({ status: over.status, code: over.body?.code }).toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
      expect(over.body!.message).toContain('1mb');

      const channel = await call(base, 'post', '/v1/channels', {
        key: adminKey,
        body: { name: 'Big bodies', wahaBaseUrl: 'https://waha.example.com', inboundMode: 'direct' },
      });
      expect(channel.status).toBe(201);
      const inbound = freshWahaFixture('webhook-message-text');
      inbound.payload._data = { padding: 'x'.repeat(3 * 1024 * 1024) };
      const raw = JSON.stringify(inbound);
      const big = await call(base, 'post', `/v1/channels/${channel.body!.id}/waha/events`, {
        raw,
        headers: { 'x-webhook-hmac': signWahaBody(raw, channel.body!.webhookSecret) },
      });
      expect(big.status).toBe(202);
      inbound.payload._data = { padding: 'x'.repeat(5 * 1024 * 1024 + 1) };
      const tooBigRaw = JSON.stringify(inbound);
      const tooBig = await call(base, 'post', `/v1/channels/${channel.body!.id}/waha/events`, {
        raw: tooBigRaw,
        headers: { 'x-webhook-hmac': signWahaBody(tooBigRaw, channel.body!.webhookSecret) },
      });
      expect({ status: tooBig.status, code: tooBig.body?.code }).toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    });
  });

  describe('two api instances sharing one Postgres', () => {
    const PER_KEY = 5;
    const PER_IP = 3;
    let a: { app: INestApplication; base: string };
    let b: { app: INestApplication; base: string };
    let db: DataSource;
    let tenants: TenantService;
    let tenantId: string;
    let env: Record<string, string>;

    beforeAll(async () => {
      env = {
        DATABASE_URL: await createTestDatabase(),
        API_RATE_LIMIT_PER_KEY: String(PER_KEY),
        API_RATE_LIMIT_PER_IP: String(PER_IP),
        API_RATE_LIMIT_WINDOW_SECONDS: '60',
      };
      a = await startApi(env);
      b = await startApi(env);
      db = await ownerView(a.app.get(DataSource));
      tenants = a.app.get(TenantService);
      tenantId = (await tenants.createTenant('Limits tenant')).tenant.id;
    });
    afterAll(async () => {
      for (const api of [a, b]) await api?.app.close();
      for (const name of ['API_RATE_LIMIT_PER_KEY', 'API_RATE_LIMIT_PER_IP', 'API_RATE_LIMIT_WINDOW_SECONDS'])
        delete process.env[name];
    });

    it('counts the hits of one key on both instances together: over the limit, 429 RATE_LIMITED with Retry-After; other keys unaffected', async () => {
      const key = await tenants.createKey(tenantId, 'busy', ['read']);
      const remaining: string[] = [];
      for (const api of [a, b, a, b, a]) {
        const res = await call(api.base, 'get', '/v1/contacts', { key: key.key });
        expect(res.status).toBe(200);
        remaining.push(res.headers.get('x-ratelimit-remaining')!);
      }
      expect(remaining).toEqual(['4', '3', '2', '1', '0']);
      for (const api of [b, a]) {
        const res = await call(api.base, 'get', '/v1/contacts', { key: key.key });
        expect({ status: res.status, code: res.body?.code }).toEqual({ status: 429, code: 'RATE_LIMITED' });
        const retryAfter = Number(res.headers.get('retry-after'));
        expect(retryAfter).toBeGreaterThan(0);
        expect(retryAfter).toBeLessThanOrEqual(60);
      }
      const other = await tenants.createKey(tenantId, 'quiet', ['read']);
      expect((await call(b.base, 'get', '/v1/contacts', { key: other.key })).status).toBe(200);
    });

    it('limits calls without a valid key per client address, and never the WAHA receiver or health', async () => {
      const statuses: number[] = [];
      for (const api of [a, b, a, b])
        statuses.push((await call(api.base, 'get', '/v1/contacts', { key: 'crm_not-a-real-key-at-all' })).status);
      expect(statuses).toEqual([401, 401, 401, 429]);
      const blocked = await call(a.base, 'get', '/v1/contacts');
      expect({
        status: blocked.status,
        code: blocked.body?.code,
        retryAfter: Number(blocked.headers.get('retry-after')) > 0,
      }).toEqual({ status: 429, code: 'RATE_LIMITED', retryAfter: true });
      // A valid key from the same address is counted on its own.
      const key = await tenants.createKey(tenantId, 'same address', ['read']);
      expect((await call(a.base, 'get', '/v1/contacts', { key: key.key })).status).toBe(200);
      // The WAHA receiver (HMAC-authenticated, WAHA's whole traffic from one address) and health are not throttled.
      for (let i = 0; i < PER_IP + 2; i++) {
        const waha = await call(b.base, 'post', `/v1/channels/${randomUUID()}/waha/events`, {
          body: freshWahaFixture('webhook-message-text'),
          headers: { 'x-webhook-hmac': 'ab' },
        });
        expect(waha.status).not.toBe(429);
        expect((await call(b.base, 'get', '/health/live')).status).toBe(200);
      }
    });

    it('takes the client address from X-Forwarded-For only behind a trusted proxy (API_TRUST_PROXY)', async () => {
      const proxied = await startApi({ ...env, API_TRUST_PROXY: 'loopback' });
      try {
        const failWith = async (api: { base: string }, forwardedFor: string) =>
          (
            await call(api.base, 'get', '/v1/contacts', {
              key: 'crm_not-a-real-key-at-all',
              headers: { 'x-forwarded-for': forwardedFor },
            })
          ).status;
        const first: number[] = [];
        for (let i = 0; i < PER_IP + 1; i++) first.push(await failWith(proxied, '203.0.113.7'));
        expect(first).toEqual([...Array<number>(PER_IP).fill(401), 429]);
        expect(await failWith(proxied, '203.0.113.8')).toBe(401); // another client behind the proxy: its own count
        // Without a trusted proxy the header is ignored: a client cannot pick a fresh address per call.
        expect(await failWith(a, '203.0.113.9')).toBe(429);
      } finally {
        await proxied.app.close();
      }
    });

    it('records last use at most once per resolution: the memo skips the statement, the conditional UPDATE skips the write', async () => {
      const key = await tenants.createKey(tenantId, 'used', ['read']);
      const state = async () =>
        (await db.query(`SELECT last_used_at, xmin::text AS version FROM api_keys WHERE id = $1`, [key.id]))[0] as {
          last_used_at: Date | null;
          version: string;
        };
      expect((await state()).last_used_at).toBeNull();

      expect((await call(a.base, 'get', '/v1/contacts', { key: key.key })).status).toBe(200);
      const first = await state();
      expect(first.last_used_at).toEqual(expect.any(Date));
      // Again on A, and for the first time on B (no memo there: B's conditional UPDATE matches nothing).
      for (const api of [a, b])
        expect((await call(api.base, 'get', '/v1/contacts', { key: key.key })).status).toBe(200);
      expect(await state()).toEqual(first); // same row version: nothing was written

      // The stored use is older than the resolution: A and B asked less than a minute ago, so they
      // do not even ask; a third instance, with no memo, writes.
      await db.query(`UPDATE api_keys SET last_used_at = now() - interval '61 seconds' WHERE id = $1`, [key.id]);
      const aged = await state();
      expect((await call(a.base, 'get', '/v1/contacts', { key: key.key })).status).toBe(200);
      expect(await state()).toEqual(aged);
      const c = await startApi(env);
      try {
        expect((await call(c.base, 'get', '/v1/contacts', { key: key.key })).status).toBe(200);
      } finally {
        await c.app.close();
      }
      const written = await state();
      expect(written.last_used_at!.getTime()).toBeGreaterThan(aged.last_used_at!.getTime() + 60_000);
    });

    it('deletes the counters of ended windows and blocks, and starts a fresh window after one ends', async () => {
      const storage = a.app.get(PostgresThrottlerStorage);
      const key = `test:${randomUUID()}`;
      const hits = [];
      for (let i = 0; i < 3; i++) hits.push(await storage.increment(key, 1_000, 2, 1_000, 'default'));
      expect(hits.map((h) => [h.totalHits, h.isBlocked])).toEqual([
        [1, false],
        [2, false],
        [3, true],
      ]);
      await db.query(
        `INSERT INTO rate_limit_hits (key, hits, window_ends_at) VALUES ('test:old', 9, now() - interval '1 minute')`,
      );
      // Wait until the short window and its block have ended (a condition on the row, not a sleep).
      await eventually(
        async () =>
          (
            await db.query(
              `SELECT window_ends_at < now() AND blocked_until < now() AS ended FROM rate_limit_hits WHERE key = $1`,
              [key],
            )
          )[0].ended
            ? true
            : undefined,
        10_000,
        'the short window and its block ended',
      );
      expect(await storage.removeExpired()).toBeGreaterThanOrEqual(2);
      expect(await db.query(`SELECT key FROM rate_limit_hits WHERE key IN ($1, 'test:old')`, [key])).toEqual([]);
      // A live counter (the busy key's window, a minute long) is kept.
      expect(
        (await db.query(`SELECT count(*)::int AS n FROM rate_limit_hits WHERE key LIKE 'default:key:%'`))[0].n,
      ).toBeGreaterThan(0);
      expect(await storage.increment(key, 1_000, 2, 1_000, 'default')).toMatchObject({
        totalHits: 1,
        isBlocked: false,
      });
    });
  });
});
