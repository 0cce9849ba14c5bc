import { randomUUID } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { signWahaBody } from '@app/inbound';
import { TenantService } from '@app/tenant';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { freshWahaFixture } from '../fixtures/waha';
import { createTestDatabase, ownerView } from '../support/database';
import { TestEnv } from '../support/test-env';

type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';
interface Operation {
  method: Method;
  path: string;
  parameters: { name: string; in: string; required?: boolean }[];
}

/** Which of tenant A's resources a path or query parameter names, by the route it is on. */
type ResourceKind =
  | 'contact'
  | 'channel'
  | 'session'
  | 'message'
  | 'subscription'
  | 'delivery'
  | 'outboxEvent'
  | 'historyImport'
  | 'apiKey';
const KIND_BY_COLLECTION: Record<string, ResourceKind> = {
  contacts: 'contact',
  channels: 'channel',
  sessions: 'session',
  messages: 'message',
  'webhook-subscriptions': 'subscription',
  'webhook-deliveries': 'delivery',
  outbox: 'outboxEvent',
  'api-keys': 'apiKey',
};
const KIND_BY_PARAMETER: Record<string, ResourceKind> = {
  contactId: 'contact',
  channelId: 'channel',
  sessionId: 'session',
  messageId: 'message',
  subscriptionId: 'subscription',
  importId: 'historyImport',
};

/** Routes that name no resource of anyone's (creating your own, health, docs, the catalogue):
 *  nothing of another tenant can be passed to them. A new route must be added here or get ids. */
const NO_FOREIGN_ID = new Set([
  'post /v1/contacts',
  'post /v1/channels',
  'post /v1/api-keys',
  'get /v1/webhook-event-types',
  'get /v1/outbox/stats',
  'get /health/live',
  'get /health/ready',
]);

/** Operator routes that work across tenants by design: the payload codec names no resource, but it
 *  decrypts whatever Temporal payload it is given, and histories are not split by tenant: they must
 *  answer admin keys only (docs/payload-encryption.md). */
const CROSS_TENANT_OPERATOR = new Set(['post /v1/codec/encode', 'post /v1/codec/decode']);

/** Bodies that pass validation, so a refusal can only be the tenant check (404), not a 400. */
const BODY_BY_ROUTE: Record<string, unknown> = {
  'patch /v1/contacts/{id}': { name: 'Written by B' },
  'patch /v1/channels/{id}': { name: 'Written by B' },
  'patch /v1/webhook-subscriptions/{id}': { description: 'Written by B' },
};

/**
 * Tenant isolation over EVERY route of the Swagger document (so a new route is covered without
 * touching this test): tenant B calls each one with tenant A's ids and gets 404, with nothing of A
 * in the body and nothing of A's written; B's lists filtered by A's ids are empty; the WAHA receiver
 * (HMAC, no API key) refuses a body not signed with A's channel secret.
 */
describe('tenant isolation on every API route (e2e)', () => {
  let app: INestApplication;
  let base: string;
  let db: DataSource;
  let keyA: string;
  let keyB: string;
  let tenantA: string;
  const ids = {} as Record<ResourceKind, string>;
  /** Strings only tenant A's data holds: none may appear in an answer to B. */
  const secretsOfA: string[] = [];

  const call = async (
    method: string,
    path: string,
    key: string | null,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const res = await fetch(`${base}${path}`, {
      method: method.toUpperCase(),
      headers: {
        ...(key ? { 'x-api-key': key } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, text, body: text ? (JSON.parse(text) as Record<string, any>) : undefined };
  };

  /** Every row of tenant A, hashed per table: any insert, update or delete changes it. */
  const footprintOfA = async () => {
    // Every table with a tenant_id (found in the schema, so a new table is covered too).
    const tables: string[] = (
      await db.query(
        `SELECT table_name AS t FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = 'tenant_id' ORDER BY 1`,
      )
    ).map((r: { t: string }) => r.t);
    expect(tables).toEqual(
      expect.arrayContaining(['contacts', 'channels', 'sessions', 'messages', 'webhook_deliveries']),
    );
    const rows = await Promise.all(
      tables.map(async (table) => {
        const [row] = await db.query(
          `SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS h FROM ${table} t WHERE tenant_id = $1`,
          [tenantA],
        );
        return [table, row] as const;
      }),
    );
    return Object.fromEntries(rows);
  };

  beforeAll(async () => {
    Object.assign(process.env, {
      DATABASE_URL: await createTestDatabase(),
      TEMPORAL_ADDRESS: TestEnv.temporalAddress(),
      TEMPORAL_NAMESPACE: 'default',
      LOG_LEVEL: 'silent',
      INBOUND_MODE: 'direct',
    });
    delete process.env.DEV_API_KEY;
    app = await createApiApp({ logger: false });
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
    db = await ownerView(app.get(DataSource));
    const tenants = app.get(TenantService);
    const issuedA = await tenants.createTenant('Tenant A');
    keyA = issuedA.apiKey;
    tenantA = issuedA.tenant.id;
    ids.apiKey = issuedA.apiKeyId;
    keyB = (await tenants.createTenant('Tenant B')).apiKey;

    // Tenant A's data: a channel, a conversation through its WAHA receiver (direct mode: contact,
    // session, message and their events), a contact of its own, a subscription and a delivery.
    const channel = await call('post', '/v1/channels', keyA, {
      name: 'A secret channel',
      wahaBaseUrl: 'https://waha-a.example.com',
      inboundMode: 'direct',
    });
    expect(channel.status).toBe(201);
    ids.channel = channel.body!.id;
    const inbound = freshWahaFixture('webhook-message-text');
    const raw = JSON.stringify(inbound);
    const posted = await call('post', `/v1/channels/${ids.channel}/waha/events`, null, undefined, {});
    expect(posted.status).toBe(401); // unsigned: refused (and below, signed: accepted)
    const accepted = await fetch(`${base}/v1/channels/${ids.channel}/waha/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-webhook-hmac': signWahaBody(raw, channel.body!.webhookSecret) },
      body: raw,
    });
    expect(accepted.status).toBe(202);
    const [message] = await db.query(`SELECT id, contact_id, session_id FROM messages WHERE channel_id = $1`, [
      ids.channel,
    ]);
    ids.message = message.id;
    ids.session = message.session_id;
    ids.contact = message.contact_id;
    const contact = await call('post', '/v1/contacts', keyA, { phone: '+5511988887777', name: 'A secret contact' });
    expect(contact.status).toBe(201);
    const subscription = await call('post', '/v1/webhook-subscriptions', keyA, {
      url: 'https://93.184.216.34/a-secret-hook',
      eventTypes: ['*'],
      description: 'A secret hook',
    });
    expect(subscription.status).toBe(201);
    ids.subscription = subscription.body!.id;
    const [event] = await db.query(`SELECT id FROM outbox_events WHERE tenant_id = $1 ORDER BY occurred_at LIMIT 1`, [
      tenantA,
    ]);
    ids.outboxEvent = event.id;
    ids.delivery = randomUUID();
    await db.query(
      `INSERT INTO webhook_deliveries (id, tenant_id, subscription_id, event_id, event_type, status, attempts, created_at, updated_at)
       VALUES ($1, $2, $3, $4, 'contact.created', 'dead', 3, now(), now())`,
      [ids.delivery, tenantA, ids.subscription, ids.outboxEvent],
    );
    // A finished history import of A's channel (no workflow runs in this test).
    ids.historyImport = randomUUID();
    await db.query(
      `INSERT INTO history_imports (id, tenant_id, channel_id, workflow_id, status, buffering, phase, started_at, completed_at, updated_at)
       VALUES ($1, $2, $3, $4, 'completed', false, 'completed', now(), now(), now())`,
      [ids.historyImport, tenantA, ids.channel, `history-import:${ids.channel}`],
    );
    secretsOfA.push(
      tenantA,
      'A secret channel',
      'waha-a.example.com',
      'A secret contact',
      '5511988887777',
      '5511999990001',
      'a-secret-hook',
      'A secret hook',
      inbound.payload.body,
      channel.body!.webhookSecret,
      subscription.body!.secret,
    );
  });
  afterAll(() => app?.close());

  async function operations(): Promise<Operation[]> {
    const doc = await call('get', '/docs-json', null);
    expect(doc.status).toBe(200);
    return Object.entries(
      doc.body!.paths as Record<string, Record<string, { parameters?: Operation['parameters'] }>>,
    ).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([method]) => ['get', 'post', 'patch', 'put', 'delete'].includes(method))
        .map(([method, op]) => ({ method: method as Method, path, parameters: op.parameters ?? [] })),
    );
  }

  /** A's id for a path parameter: `{id}` is the route's own collection, `{channelId}` names itself. */
  function idFor(path: string, parameter: string): string {
    const kind =
      KIND_BY_PARAMETER[parameter] ?? (parameter === 'id' ? KIND_BY_COLLECTION[path.split('/')[2] ?? ''] : undefined);
    if (!kind) throw new Error(`${path}: no id of tenant A known for {${parameter}}; add it to this test's maps`);
    return ids[kind];
  }

  function leaks(text: string, passed: string[]): string[] {
    const otherIdsOfA = Object.values(ids).filter((id) => !passed.includes(id));
    return [...secretsOfA, ...otherIdsOfA].filter((value) => value && text.includes(value));
  }

  it('answers 404 to B on every route that takes an id of A, with nothing of A in the body and nothing of A written', async () => {
    const ops = await operations();
    expect(ops.length).toBeGreaterThan(20);
    const before = await footprintOfA();
    const seen: string[] = [];
    for (const op of ops) {
      const route = `${op.method} ${op.path}`;
      const pathParams = op.parameters.filter((p) => p.in === 'path').map((p) => p.name);
      if (pathParams.length === 0) continue;
      const passed = pathParams.map((name) => idFor(op.path, name));
      let url = op.path;
      pathParams.forEach((name, i) => (url = url.replace(`{${name}}`, passed[i]!)));
      const required = op.parameters
        .filter((p) => p.in === 'query' && p.required)
        .map((p) => `${p.name}=${p.name === 'since' ? new Date(0).toISOString() : 'x'}`);
      if (required.length > 0) url += `?${required.join('&')}`;

      const isWahaReceiver = op.path.endsWith('/waha/events');
      // The receiver takes no API key: B can only sign with a secret of its own, never A's.
      const res = isWahaReceiver
        ? await call(op.method, url, null, freshWahaFixture('webhook-message-text'), {
            'x-webhook-hmac': signWahaBody('{}', 'a secret of tenant B'),
          })
        : await call(
            op.method,
            url,
            keyB,
            op.method === 'get' || op.method === 'delete' ? undefined : (BODY_BY_ROUTE[route] ?? {}),
          );
      seen.push(`${route} -> ${res.status}`);
      expect({ route, status: res.status }).toEqual({ route, status: isWahaReceiver ? 401 : 404 });
      expect({ route, leaks: leaks(res.text, passed) }).toEqual({ route, leaks: [] });
    }
    expect({ footprint: await footprintOfA(), seen }).toEqual({ footprint: before, seen });
    // The id-taking routes of every collection were called (the document was read, not skipped).
    for (const collection of Object.keys(KIND_BY_COLLECTION))
      expect(seen.some((s) => s.includes(`/v1/${collection}/`))).toBe(true);
  });

  it("answers B's lists empty when filtered by A's ids, and unfiltered without anything of A", async () => {
    const ops = await operations();
    const before = await footprintOfA();
    let filtered = 0;
    for (const op of ops) {
      const route = `${op.method} ${op.path}`;
      if (op.parameters.some((p) => p.in === 'path')) continue;
      if (op.method !== 'get') {
        // A create naming a resource of A (a subscription for A's channel) is refused too.
        if (op.path === '/v1/webhook-subscriptions') {
          const res = await call('post', op.path, keyB, {
            url: 'https://93.184.216.34/b-hook',
            eventTypes: ['*'],
            channelId: ids.channel,
          });
          // Refused as a bad field (the channel does not exist for B), the same answer as for an unknown id.
          const unknown = await call('post', op.path, keyB, {
            url: 'https://93.184.216.34/b-hook',
            eventTypes: ['*'],
            channelId: randomUUID(),
          });
          expect({ route, status: res.status, message: res.body?.message }).toEqual({
            route,
            status: unknown.status,
            message: unknown.body?.message.replace(/[0-9a-f-]{36}/, ids.channel),
          });
          expect([400, 404]).toContain(res.status);
          expect({ route, leaks: leaks(res.text, [ids.channel]) }).toEqual({ route, leaks: [] });
        } else if (!NO_FOREIGN_ID.has(route) && !CROSS_TENANT_OPERATOR.has(route)) {
          throw new Error(`${route}: takes no path id; say here whether it can name another tenant's resource`);
        }
        continue;
      }
      if (NO_FOREIGN_ID.has(route) || op.path.startsWith('/docs')) continue;
      const unfiltered = await call('get', op.path, keyB);
      expect({ route, status: unfiltered.status }).toEqual({ route, status: 200 });
      expect({ route, leaks: leaks(unfiltered.text, []) }).toEqual({ route, leaks: [] });
      for (const p of op.parameters.filter((q) => q.in === 'query' && KIND_BY_PARAMETER[q.name])) {
        const res = await call('get', `${op.path}?${p.name}=${ids[KIND_BY_PARAMETER[p.name]!]}`, keyB);
        expect({ route, filter: p.name, status: res.status, data: res.body?.data }).toEqual({
          route,
          filter: p.name,
          status: 200,
          data: [],
        });
        filtered++;
      }
    }
    expect(filtered).toBeGreaterThanOrEqual(4);
    expect(await footprintOfA()).toEqual(before);
    // A sees its own data through the same filters: the filters work, B's answers are not empty by accident.
    expect((await call('get', `/v1/messages?contactId=${ids.contact}`, keyA)).body!.data).toHaveLength(1);
    expect((await call('get', `/v1/sessions?channelId=${ids.channel}`, keyA)).body!.data).toHaveLength(1);
  });
});
