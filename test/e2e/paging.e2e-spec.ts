import { randomUUID } from 'node:crypto';
import { type INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TenantService } from '@app/tenant';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { createTestDatabase, ownerView } from '../support/database';
import { TestEnv } from '../support/test-env';

/**
 * Keyset cursors carry created_at to the microsecond. Every list route is paged one row at a time over
 * rows created within one millisecond (1 µs apart): each row comes exactly once, in order. A cursor
 * cut to the millisecond skipped every row after the first of that millisecond.
 */
describe('list routes page exactly over rows created within one millisecond (e2e)', () => {
  let app: INestApplication;
  let base: string;
  let db: DataSource;
  let apiKey: string;
  let tenantId: string;

  const call = async (path: string, init: { method?: string; body?: unknown } = {}) => {
    const res = await fetch(`${base}${path}`, {
      method: init.method ?? 'GET',
      headers: { 'x-api-key': apiKey, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };

  beforeAll(async () => {
    Object.assign(process.env, {
      DATABASE_URL: await createTestDatabase(),
      TEMPORAL_ADDRESS: TestEnv.temporalAddress(),
      TEMPORAL_NAMESPACE: 'default',
      LOG_LEVEL: 'silent',
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
      // The channels' placeholder WAHA address is on loopback.
      WAHA_ALLOWED_CIDRS: '127.0.0.1/32',
    });
    delete process.env.DEV_API_KEY;
    app = await createApiApp({ logger: false });
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
    db = await ownerView(app.get(DataSource));
    const issued = await app.get(TenantService).createTenant('Paging');
    apiKey = issued.apiKey;
    tenantId = issued.tenant.id;
  });
  afterAll(() => app?.close());

  /** Moves the rows into one millisecond, 1 µs apart (the first one latest). */
  const squeezeIntoOneMillisecond = async (table: string, ids: string[]) => {
    for (const [i, id] of ids.entries()) {
      await db.query(
        `UPDATE ${table} SET created_at = '2031-05-05T05:05:05.123000Z'::timestamptz + $2 * interval '1 microsecond' WHERE id = $1`,
        [id, ids.length - i],
      );
    }
  };

  /** Follows nextCursor from the first page, `limit` rows at a time. */
  const pageThrough = async (path: string, limit: number): Promise<string[]> => {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 50; page += 1) {
      const separator = path.includes('?') ? '&' : '?';
      const res = await call(
        `${path}${separator}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect({ path, status: res.status, body: res.status === 200 ? 'ok' : res.body }).toEqual({
        path,
        status: 200,
        body: 'ok',
      });
      seen.push(...res.body.data.map((row: { id: string }) => row.id));
      cursor = res.body.nextCursor;
      if (!cursor) return seen;
    }
    throw new Error(`${path}: more than 50 pages`);
  };

  it('returns every row exactly once on every list route', async () => {
    const channels = [];
    for (let i = 0; i < 3; i += 1) {
      const res = await call('/v1/channels', {
        method: 'POST',
        body: { name: `Paging ${i}`, wahaBaseUrl: 'http://127.0.0.1:1' },
      });
      expect(res.status).toBe(201);
      channels.push(res.body.id as string);
    }
    const contacts = [];
    for (let i = 0; i < 3; i += 1) {
      const res = await call('/v1/contacts', { method: 'POST', body: { phone: `551197000000${i}` } });
      expect(res.status).toBe(201);
      contacts.push(res.body.id as string);
    }
    const subscriptions = [];
    for (let i = 0; i < 3; i += 1) {
      const res = await call('/v1/webhook-subscriptions', {
        method: 'POST',
        body: { url: `http://127.0.0.1:9/hook-${i}`, eventTypes: ['*'] },
      });
      expect(res.status).toBe(201);
      subscriptions.push(res.body.id as string);
    }
    const sessions = [];
    const messages = [];
    for (const [i, contactId] of contacts.entries()) {
      const sessionId = randomUUID();
      await db.query(
        `INSERT INTO sessions (id, tenant_id, contact_id, channel_id, status, started_at, last_activity_at, timeout_seconds, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'active', now(), now(), 1800, now(), now())`,
        [sessionId, tenantId, contactId, channels[0]],
      );
      sessions.push(sessionId);
      const messageId = randomUUID();
      const rawId = `ACPAGING${i}${randomUUID().replace(/-/g, '').toUpperCase().slice(0, 20)}`;
      await db.query(
        `INSERT INTO messages (id, tenant_id, session_id, contact_id, channel_id, direction, external_id, wa_chat_id, wa_raw_id, type, text, status, sent_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'inbound', $6, $7, $8, 'text', 'hi', 'received', now(), now(), now())`,
        [
          messageId,
          tenantId,
          sessionId,
          contactId,
          channels[0],
          `false_551197000000${i}@c.us_${rawId}`,
          `551197000000${i}@c.us`,
          rawId,
        ],
      );
      messages.push(messageId);
    }
    const deliveries = [];
    for (let i = 0; i < 3; i += 1) {
      const deliveryId = randomUUID();
      await db.query(
        `INSERT INTO webhook_deliveries (id, tenant_id, subscription_id, event_id, event_type, status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'contact.created', 'pending', now(), now())`,
        [deliveryId, tenantId, subscriptions[0], randomUUID()],
      );
      deliveries.push(deliveryId);
    }
    const events: string[] = (
      await db.query(`SELECT id FROM outbox_events WHERE tenant_id = $1 ORDER BY id`, [tenantId])
    ).map((r: { id: string }) => r.id);
    expect(events.length).toBeGreaterThanOrEqual(3);

    const routes: Array<{ path: string; table: string; ids: string[] }> = [
      { path: '/v1/channels', table: 'channels', ids: channels },
      { path: '/v1/contacts', table: 'contacts', ids: contacts },
      { path: '/v1/sessions', table: 'sessions', ids: sessions },
      { path: '/v1/messages', table: 'messages', ids: messages },
      { path: '/v1/webhook-subscriptions', table: 'webhook_subscriptions', ids: subscriptions },
      {
        path: `/v1/webhook-subscriptions/${subscriptions[0]}/deliveries`,
        table: 'webhook_deliveries',
        ids: deliveries,
      },
      { path: '/v1/outbox/events', table: 'outbox_events', ids: events },
    ];
    for (const route of routes) await squeezeIntoOneMillisecond(route.table, route.ids);

    for (const route of routes) {
      for (const limit of [1, 2]) {
        // Newest first: the order squeezeIntoOneMillisecond gave them.
        expect({ route: route.path, limit, ids: await pageThrough(route.path, limit) }).toEqual({
          route: route.path,
          limit,
          ids: route.ids,
        });
      }
    }
  });

  it('still accepts a cursor issued with millisecond precision, and answers 400 naming cursor for a forged one', async () => {
    const legacy = Buffer.from(JSON.stringify(['2031-05-05T05:05:05.124Z', randomUUID()])).toString('base64url');
    const accepted = await call(`/v1/contacts?cursor=${legacy}`);
    expect(accepted.status).toBe(200);
    expect(accepted.body.data.length).toBeGreaterThanOrEqual(1);
    for (const forged of [
      Buffer.from(JSON.stringify(['yesterday', randomUUID()])).toString('base64url'),
      Buffer.from(JSON.stringify(['2031-05-05T05:05:05.1234567Z', randomUUID()])).toString('base64url'),
      Buffer.from(JSON.stringify(['2031-05-05T05:05:05.123Z', 'not-a-uuid'])).toString('base64url'),
    ]) {
      const res = await call(`/v1/messages?cursor=${forged}`);
      expect({ status: res.status, field: res.body.field }).toEqual({ status: 400, field: 'cursor' });
    }
  });
});
