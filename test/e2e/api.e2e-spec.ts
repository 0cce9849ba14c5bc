import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TenantService } from '@app/tenant';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { createTestDatabase, ownerView } from '../support/database';
import { TestEnv } from '../support/test-env';

/** The API as it runs: a real HTTP server on 127.0.0.1, real PostgreSQL, the real Temporal dev server. */
describe('REST API (e2e)', () => {
  let app: INestApplication;
  let base: string;
  let keyA: string;
  let keyB: string;
  let db: DataSource;

  const call = async (
    method: string,
    path: string,
    opts: { key?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(opts.key ? { 'x-api-key': opts.key } : {}),
        ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...opts.headers,
      },
      body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  };

  beforeAll(async () => {
    Object.assign(process.env, {
      DATABASE_URL: await createTestDatabase(),
      TEMPORAL_ADDRESS: TestEnv.temporalAddress(),
      TEMPORAL_NAMESPACE: 'default',
      LOG_LEVEL: 'silent',
    });
    delete process.env.DEV_API_KEY;
    app = await createApiApp({ logger: false });
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
    const tenants = app.get(TenantService);
    keyA = (await tenants.createTenant('Tenant A')).apiKey;
    keyB = (await tenants.createTenant('Tenant B')).apiKey;
    db = await ownerView(app.get(DataSource));
  });
  afterAll(() => app?.close());

  describe('authentication', () => {
    it('answers 401 naming the header when the key is missing', async () => {
      const res = await call('GET', '/v1/contacts');
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ code: 'API_KEY_MISSING', message: expect.stringContaining('x-api-key') });
    });

    it('answers 401 for an unknown or revoked key', async () => {
      const unknown = await call('GET', '/v1/contacts', { key: 'crm_not-a-real-key-at-all' });
      expect({ status: unknown.status, code: unknown.body.code }).toEqual({ status: 401, code: 'API_KEY_INVALID' });
      const tenants = app.get(TenantService);
      const issued = await tenants.createTenant('Soon revoked');
      const second = await tenants.createKey(issued.tenant.id, 'second', ['read']);
      expect((await call('GET', '/v1/contacts', { key: second.key })).status).toBe(200);
      await tenants.revokeKey(issued.tenant.id, second.id);
      expect((await call('GET', '/v1/contacts', { key: second.key })).status).toBe(401);
    });
  });

  describe('contacts', () => {
    it('creates, reads, updates, lists and deletes a contact', async () => {
      const created = await call('POST', '/v1/contacts', {
        key: keyA,
        body: { phone: '+55 (11) 98888-0001', name: 'Ana' },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ phone: '5511988880001', name: 'Ana', id: expect.any(String) });
      const id = created.body.id;

      expect((await call('GET', `/v1/contacts/${id}`, { key: keyA })).body.name).toBe('Ana');
      const patched = await call('PATCH', `/v1/contacts/${id}`, { key: keyA, body: { name: 'Ana Maria' } });
      expect(patched.status).toBe(200);
      expect(patched.body.name).toBe('Ana Maria');

      const list = await call('GET', '/v1/contacts?limit=10&search=Ana', { key: keyA });
      expect(list.status).toBe(200);
      expect(list.body.data.map((c: { id: string }) => c.id)).toContain(id);
      expect(list.body).toHaveProperty('nextCursor');

      expect((await call('DELETE', `/v1/contacts/${id}`, { key: keyA })).status).toBe(204);
      expect((await call('GET', `/v1/contacts/${id}`, { key: keyA })).status).toBe(404);
    });

    it("keeps tenants apart: B can neither read nor change A's contact (404)", async () => {
      const { body } = await call('POST', '/v1/contacts', { key: keyA, body: { phone: '5511988880002' } });
      expect((await call('GET', `/v1/contacts/${body.id}`, { key: keyB })).status).toBe(404);
      expect((await call('PATCH', `/v1/contacts/${body.id}`, { key: keyB, body: { name: 'Mallory' } })).status).toBe(
        404,
      );
      expect((await call('DELETE', `/v1/contacts/${body.id}`, { key: keyB })).status).toBe(404);
      const listB = await call('GET', '/v1/contacts', { key: keyB });
      expect(listB.body.data.map((c: { id: string }) => c.id)).not.toContain(body.id);
      expect((await call('GET', `/v1/contacts/${body.id}`, { key: keyA })).body.name).toBeNull();
      // The same phone is free in another tenant.
      expect((await call('POST', '/v1/contacts', { key: keyB, body: { phone: '5511988880002' } })).status).toBe(201);
    });

    it('answers 400 naming the fields of a bad body, and writes nothing', async () => {
      const before = await db.query(`SELECT count(*)::int AS n FROM contacts`);
      const res = await call('POST', '/v1/contacts', {
        key: keyA,
        body: { phone: 42, profilePictureUrl: 'not a url', extra: true },
      });
      expect(res.status).toBe(400);
      const messages: string = [res.body.message].flat().join(' | ');
      expect(messages).toContain('phone');
      expect(messages).toContain('profilePictureUrl');
      expect(messages).toContain('property extra should not exist');
      expect(await db.query(`SELECT count(*)::int AS n FROM contacts`)).toEqual(before);
    });

    it('answers 400 naming phone for an impossible number, 409 for a duplicate, 400 for a bad id or cursor', async () => {
      const bad = await call('POST', '/v1/contacts', { key: keyA, body: { phone: '12' } });
      expect(bad.status).toBe(400);
      expect(JSON.stringify(bad.body)).toContain('phone');

      await call('POST', '/v1/contacts', { key: keyA, body: { phone: '5511988880003' } });
      const dup = await call('POST', '/v1/contacts', { key: keyA, body: { phone: '+55 11 98888-0003' } });
      expect(dup.status).toBe(409);
      expect(dup.body).toMatchObject({ field: 'phone' });

      const badId = await call('GET', '/v1/contacts/not-a-uuid', { key: keyA });
      expect(badId.status).toBe(400);
      expect(badId.body.message).toContain('id');

      const badCursor = await call('GET', '/v1/contacts?cursor=garbage', { key: keyA });
      expect(badCursor.status).toBe(400);
      expect(JSON.stringify(badCursor.body)).toContain('cursor');

      const badLimit = await call('GET', '/v1/contacts?limit=0', { key: keyA });
      expect(badLimit.status).toBe(400);
      expect(JSON.stringify(badLimit.body)).toContain('limit');
    });
  });

  describe('channels', () => {
    it('answers 400 naming wahaBaseUrl for a WAHA at a loopback, private or metadata address (no WAHA_ALLOWED_CIDRS here), and writes nothing', async () => {
      const count = async () => Number((await db.query(`SELECT count(*) AS n FROM channels`))[0].n);
      const before = await count();
      for (const wahaBaseUrl of [
        'http://127.0.0.1:3000',
        'http://localhost:3000',
        'http://169.254.169.254',
        'http://[fd00::1]:3000',
      ]) {
        const res = await call('POST', '/v1/channels', {
          key: keyA,
          body: { name: `Refused ${wahaBaseUrl}`, wahaBaseUrl },
        });
        expect({ wahaBaseUrl, status: res.status }).toEqual({ wahaBaseUrl, status: 400 });
        expect(res.body.message).toContain('wahaBaseUrl');
      }
      expect(await count()).toBe(before);

      const created = await call('POST', '/v1/channels', {
        key: keyA,
        body: { name: 'Public WAHA', wahaBaseUrl: 'https://93.184.216.34' },
      });
      expect(created.status).toBe(201);
      const patched = await call('PATCH', `/v1/channels/${created.body.id}`, {
        key: keyA,
        body: { wahaBaseUrl: 'http://10.1.2.3:3000' },
      });
      expect(patched.status).toBe(400);
      expect(patched.body.message).toContain('wahaBaseUrl');
      expect((await call('GET', `/v1/channels/${created.body.id}`, { key: keyA })).body.wahaBaseUrl).toBe(
        'https://93.184.216.34',
      );
    });
  });

  describe('outbox admin', () => {
    it("shows the tenant's events with the request id as correlation id, counts them, and retries dead letters", async () => {
      const created = await call('POST', '/v1/contacts', {
        key: keyA,
        body: { phone: '5511988880004' },
        headers: { 'x-request-id': 'req-e2e-outbox-1' },
      });
      expect(created.headers.get('x-request-id')).toBe('req-e2e-outbox-1');

      const events = await call('GET', '/v1/outbox/events?limit=50', { key: keyA });
      expect(events.status).toBe(200);
      const event = events.body.data.find((e: { aggregateId: string }) => e.aggregateId === created.body.id);
      expect(event).toMatchObject({
        type: 'contact.created',
        status: 'pending',
        correlationId: 'req-e2e-outbox-1',
        aggregateType: 'contact',
      });
      const otherTenant = await call('GET', '/v1/outbox/events?limit=200', { key: keyB });
      expect(otherTenant.body.data.map((e: { id: string }) => e.id)).not.toContain(event.id);

      const stats = await call('GET', '/v1/outbox/stats', { key: keyA });
      expect(stats.status).toBe(200);
      expect(stats.body.pending).toBeGreaterThanOrEqual(1);

      const notRetryable = await call('POST', `/v1/outbox/events/${event.id}/retry`, { key: keyA });
      expect(notRetryable.status).toBe(422);
      expect(notRetryable.body.field).toBe('status');

      await db.query(`UPDATE outbox_events SET status = 'dead', attempts = 10, last_error = 'boom' WHERE id = $1`, [
        event.id,
      ]);
      const dead = await call('GET', '/v1/outbox/events?status=dead', { key: keyA });
      expect(dead.body.data.map((e: { id: string }) => e.id)).toEqual([event.id]);
      expect((await call('POST', `/v1/outbox/events/${event.id}/retry`, { key: keyB })).status).toBe(404);
      const retried = await call('POST', `/v1/outbox/events/${event.id}/retry`, { key: keyA });
      expect(retried.status).toBe(200);
      expect(retried.body).toMatchObject({ id: event.id, status: 'pending', attempts: 0 });

      const badStatus = await call('GET', '/v1/outbox/events?status=lost', { key: keyA });
      expect(badStatus.status).toBe(400);
      expect(JSON.stringify(badStatus.body)).toContain('status');
    });
  });

  describe('operations', () => {
    it('serves liveness and readiness (database and Temporal) without a key', async () => {
      expect((await call('GET', '/health/live')).body).toEqual({ status: 'ok' });
      const ready = await call('GET', '/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.info).toMatchObject({ database: { status: 'up' }, temporal: { status: 'up' } });
    });

    it('serves the OpenAPI document with the API-key scheme, and Swagger UI', async () => {
      const doc = await call('GET', '/docs-json');
      expect(doc.status).toBe(200);
      expect(doc.body.components.securitySchemes['api-key']).toEqual({
        type: 'apiKey',
        name: 'x-api-key',
        in: 'header',
      });
      expect(Object.keys(doc.body.paths)).toEqual(
        expect.arrayContaining([
          '/v1/contacts',
          '/v1/contacts/{id}',
          '/v1/outbox/stats',
          '/v1/outbox/events',
          '/v1/outbox/events/{id}/retry',
          '/health/ready',
        ]),
      );
      const ui = await fetch(`${base}/docs`);
      expect(ui.status).toBe(200);
      expect(await ui.text()).toContain('swagger');
    });

    it('exposes Prometheus metrics', async () => {
      const res = await fetch(`${base}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('crm_api_process_cpu_user_seconds_total');
    });
  });
});

describe('readiness without Temporal', () => {
  it('reports 503 naming temporal when the server is unreachable, while liveness stays 200', async () => {
    Object.assign(process.env, {
      DATABASE_URL: await createTestDatabase(),
      TEMPORAL_ADDRESS: '127.0.0.1:1',
      LOG_LEVEL: 'silent',
    });
    const app = await createApiApp({ logger: false });
    await app.listen(0, '127.0.0.1');
    try {
      const base = await app.getUrl();
      const ready = await fetch(`${base}/health/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({
        statusCode: 503,
        code: 'NOT_READY',
        message: 'Not ready: temporal failed its check',
        details: { temporal: { status: 'down' } },
      });
      expect((await fetch(`${base}/health/live`)).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});
