import { type INestApplication } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { LoggerModule } from 'nestjs-pino';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { DatabaseModule } from '@app/database';
import { OutboxModule } from '@app/outbox';
import { SecretCipher, SecretsModule, newEventId } from '@app/shared';
import { TenantModule, TenantService } from '@app/tenant';
import {
  WEBHOOK_EVENT_CATALOGUE,
  WebhookDeliveryOutcomeService,
  WebhookDispatchService,
  WebhookFanOutService,
} from '@app/webhook';
import {
  RecordingWebhookDeliveryStarter,
  RecordingWebhookDeliveryStarterModule,
  type TestWebhookReceiver,
  startTestWebhookReceiver,
} from '@app/webhook/testing';
import { createTestDatabase, ownerView } from '../../../../test/support/database';
import { configureApp } from '../configure-app';
import { ApiAccessModule } from '../platform/api-access.module';
import { WebhooksHttpModule } from './webhooks-http.module';

/** /v1/webhook-subscriptions, /v1/webhook-deliveries and /v1/webhook-event-types over real HTTP,
 *  with the app's guard, error filter, validation pipe and Swagger document. */
describe('Webhooks REST API (real PostgreSQL)', () => {
  let app: INestApplication;
  let db: DataSource;
  let starter: RecordingWebhookDeliveryStarter;
  let receiver: TestWebhookReceiver;
  let keyA: string;
  let keyB: string;
  let tenantA: string;

  beforeAll(async () => {
    Object.assign(process.env, {
      DATABASE_URL: await createTestDatabase(),
      DATABASE_POOL_SIZE: '5',
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
      WEBHOOK_TIMEOUT_MS: '1000',
    });
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true }),
        LoggerModule.forRoot({ pinoHttp: { level: 'silent' } }),
        SecretsModule,
        DatabaseModule,
        OutboxModule,
        TenantModule,
        ApiAccessModule,
        RecordingWebhookDeliveryStarterModule,
        WebhooksHttpModule,
      ],
      providers: [],
    }).compile();
    app = configureApp(moduleRef.createNestApplication({ logger: false, bufferLogs: true }));
    await app.init();
    db = await ownerView(app.get(DataSource));
    starter = app.get(RecordingWebhookDeliveryStarter);
    const tenants = app.get(TenantService);
    const a = await tenants.createTenant('Webhooks A');
    const b = await tenants.createTenant('Webhooks B');
    keyA = a.apiKey;
    keyB = b.apiKey;
    tenantA = a.tenant.id;
    receiver = await startTestWebhookReceiver();
  });

  afterAll(async () => {
    await receiver?.close();
    await app?.close();
  });

  beforeEach(() => starter.clear());

  const http = () => request(app.getHttpServer());
  const post = (path: string, key: string, body?: object) => {
    const req = http().post(path).set('x-api-key', key);
    return body === undefined ? req : req.send(body);
  };
  const subscribe = async (key = keyA, body: object = {}) => {
    const res = await post('/v1/webhook-subscriptions', key, {
      url: receiver.url(),
      eventTypes: ['contact.*'],
      ...body,
    });
    expect(res.status).toBe(201);
    return res.body as { id: string; secret: string };
  };

  it('needs an API key', async () => {
    expect((await http().get('/v1/webhook-subscriptions')).status).toBe(401);
    expect((await http().get('/v1/webhook-event-types')).status).toBe(401);
  });

  describe('subscriptions', () => {
    it('creates (201) with the secret shown once; GET and list never show it; the row holds ciphertext', async () => {
      const res = await post('/v1/webhook-subscriptions', keyA, {
        url: receiver.url('/crm'),
        eventTypes: ['session.*', 'message.created'],
        description: 'CRM',
        maxAttempts: 5,
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        url: receiver.url('/crm'),
        eventTypes: ['session.*', 'message.created'],
        description: 'CRM',
        maxAttempts: 5,
        active: true,
        consecutiveFailures: 0,
        failingSince: null,
        channelId: null,
        secret: expect.stringMatching(/^whsec_/),
      });
      const { id, secret } = res.body;

      const fetched = await http().get(`/v1/webhook-subscriptions/${id}`).set('x-api-key', keyA);
      expect(fetched.status).toBe(200);
      expect(fetched.body).not.toHaveProperty('secret');
      expect(fetched.text).not.toContain(secret);
      const list = await http().get('/v1/webhook-subscriptions?limit=10').set('x-api-key', keyA);
      expect(list.status).toBe(200);
      expect(list.body.data.map((s: { id: string }) => s.id)).toContain(id);
      expect(list.text).not.toContain('whsec_');

      const row = (await db.query(`SELECT secret_enc FROM webhook_subscriptions WHERE id = $1`, [id]))[0];
      expect(row.secret_enc).not.toContain(secret.slice(6));
      expect(app.get(SecretCipher).decrypt(row.secret_enc)).toBe(secret);
    });

    it.each<[string, object, string, string]>([
      ['a private address', { url: 'http://10.1.2.3/hooks' }, 'url', 'a private address (10.0.0.0/8)'],
      ['the metadata address', { url: 'http://169.254.169.254/latest/meta-data' }, 'url', 'link-local'],
      ['IPv6 loopback', { url: 'http://[::1]:9000/' }, 'url', 'loopback'],
      ['an IPv4-mapped private address', { url: 'http://[::ffff:192.168.0.1]/' }, 'url', 'private'],
      ['a non-http scheme', { url: 'file:///etc/passwd' }, 'url', 'http(s)'],
      ['an unknown event type', { eventTypes: ['contact.exploded'] }, 'eventTypes', 'not a known event type'],
      ['a malformed pattern', { eventTypes: ['*.created'] }, 'eventTypes', 'is not an event type'],
      [
        'an unknown channel',
        { channelId: '00000000-0000-4000-8000-000000000000' },
        'channelId',
        'not a channel of this tenant',
      ],
    ])('answers 400 naming the field for %s', async (_case, body, field, message) => {
      const res = await post('/v1/webhook-subscriptions', keyA, { url: receiver.url(), eventTypes: ['*'], ...body });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', field });
      expect(res.body.message).toContain(message);
    });

    it('answers 400 naming the fields of a malformed body, and stores nothing', async () => {
      const before = (await db.query(`SELECT count(*)::int AS n FROM webhook_subscriptions`))[0].n;
      const res = await post('/v1/webhook-subscriptions', keyA, {
        url: 42,
        eventTypes: 'contact.created',
        maxAttempts: 0,
        channelId: 'x',
        extra: 1,
      });
      expect(res.status).toBe(400);
      const messages = [res.body.message].flat().join(' | ');
      for (const field of ['url', 'eventTypes', 'maxAttempts', 'channelId', 'property extra should not exist'])
        expect(messages).toContain(field);
      expect(
        (await post('/v1/webhook-subscriptions', keyA, { url: receiver.url(), eventTypes: [] })).body,
      ).toMatchObject({ code: 'VALIDATION_FAILED', field: 'eventTypes' });
      expect((await db.query(`SELECT count(*)::int AS n FROM webhook_subscriptions`))[0].n).toBe(before);
    });

    it('patches, rotates, deletes (204) and answers 400 for a malformed id', async () => {
      const { id, secret } = await subscribe();
      const patched = await http()
        .patch(`/v1/webhook-subscriptions/${id}`)
        .set('x-api-key', keyA)
        .send({ eventTypes: ['*'], maxAttempts: 3, description: null, active: false });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ eventTypes: ['*'], maxAttempts: 3, description: null, active: false });
      const badPatch = await http()
        .patch(`/v1/webhook-subscriptions/${id}`)
        .set('x-api-key', keyA)
        .send({ url: 'http://172.16.5.4/' });
      expect(badPatch.status).toBe(400);
      expect(badPatch.body.field).toBe('url');
      const badTypes = await http()
        .patch(`/v1/webhook-subscriptions/${id}`)
        .set('x-api-key', keyA)
        .send({ eventTypes: ['nope.nope'] });
      expect(badTypes.status).toBe(400);
      expect(badTypes.body.field).toBe('eventTypes');

      const rotated = await post(`/v1/webhook-subscriptions/${id}/rotate-secret`, keyA);
      expect(rotated.status).toBe(200);
      expect(rotated.body.secret).toMatch(/^whsec_/);
      expect(rotated.body.secret).not.toBe(secret);

      const enabled = await post(`/v1/webhook-subscriptions/${id}/enable`, keyA);
      expect(enabled.status).toBe(200);
      expect(enabled.body).toMatchObject({ active: true, consecutiveFailures: 0, disabledAt: null });

      expect((await http().delete(`/v1/webhook-subscriptions/${id}`).set('x-api-key', keyA)).status).toBe(204);
      expect((await http().get(`/v1/webhook-subscriptions/${id}`).set('x-api-key', keyA)).status).toBe(404);
      expect((await http().delete(`/v1/webhook-subscriptions/${id}`).set('x-api-key', keyA)).status).toBe(404);

      const badId = await http().get('/v1/webhook-subscriptions/not-a-uuid').set('x-api-key', keyA);
      expect(badId.status).toBe(400);
      expect(badId.body.message).toBe('id must be a UUID');
      expect((await post('/v1/webhook-deliveries/not-a-uuid/replay', keyA)).body.message).toBe('id must be a UUID');
    });

    it("keeps tenants apart: every route answers 404 for another tenant's subscription", async () => {
      const { id } = await subscribe(keyA);
      const since = encodeURIComponent(new Date(0).toISOString());
      const attempts = await Promise.all([
        http().get(`/v1/webhook-subscriptions/${id}`).set('x-api-key', keyB),
        http().patch(`/v1/webhook-subscriptions/${id}`).set('x-api-key', keyB).send({ description: 'mine' }),
        http().delete(`/v1/webhook-subscriptions/${id}`).set('x-api-key', keyB),
        post(`/v1/webhook-subscriptions/${id}/rotate-secret`, keyB),
        post(`/v1/webhook-subscriptions/${id}/enable`, keyB),
        post(`/v1/webhook-subscriptions/${id}/test`, keyB, {}),
        http().get(`/v1/webhook-subscriptions/${id}/deliveries`).set('x-api-key', keyB),
        post(`/v1/webhook-subscriptions/${id}/replay?since=${since}`, keyB),
      ]);
      for (const res of attempts) {
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('WEBHOOK_SUBSCRIPTION.NOT_FOUND');
      }
      const listB = await http().get('/v1/webhook-subscriptions').set('x-api-key', keyB);
      expect(listB.body.data.map((s: { id: string }) => s.id)).not.toContain(id);
      expect((await http().get(`/v1/webhook-subscriptions/${id}`).set('x-api-key', keyA)).body.description).toBeNull();
      expect(starter.starts).toEqual([]);
    });
  });

  describe('test events, deliveries and replays', () => {
    it('POST /test writes webhook.test for that subscription to the outbox (202); 422 when paused', async () => {
      const { id } = await subscribe();
      const res = await post(`/v1/webhook-subscriptions/${id}/test`, keyA, { message: 'hello' });
      expect(res.status).toBe(202);
      const row = (
        await db.query(`SELECT type, aggregate_type, aggregate_id, payload FROM outbox_events WHERE id = $1`, [
          res.body.eventId,
        ])
      )[0];
      expect(row).toEqual({
        type: 'webhook.test',
        aggregate_type: 'webhook_subscription',
        aggregate_id: id,
        payload: { subscriptionId: id, message: 'hello' },
      });
      expect((await post(`/v1/webhook-subscriptions/${id}/test`, keyA)).status).toBe(202);

      await http().patch(`/v1/webhook-subscriptions/${id}`).set('x-api-key', keyA).send({ active: false });
      const paused = await post(`/v1/webhook-subscriptions/${id}/test`, keyA, {});
      expect(paused.status).toBe(422);
      expect(paused.body.code).toBe('WEBHOOK.SUBSCRIPTION_INACTIVE');
    });

    /** One event delivered to the receiver answering `status`, through the real fan-out and dispatch. */
    const deliveredOnce = async (subscriptionId: string, status: number) => {
      const eventId = newEventId();
      await db.query(
        `INSERT INTO outbox_events (id, tenant_id, aggregate_type, aggregate_id, type, payload, occurred_at) VALUES ($1, $2, 'contact', 'c', 'contact.created', '{"id":"c"}', now())`,
        [eventId, tenantA],
      );
      // As if the endpoint were healthy so far: an earlier failure would hold this one (no run here releases it).
      await db.query(`UPDATE webhook_subscriptions SET failing_since = NULL WHERE id = $1`, [subscriptionId]);
      const planned = (
        await app
          .get(WebhookFanOutService)
          .plan({ id: eventId, type: 'contact.created', tenantId: tenantA, data: { id: 'c' } })
      ).find((p) => p.subscriptionId === subscriptionId)!;
      receiver.reply({ status });
      await app
        .get(WebhookDispatchService)
        .deliver({ tenantId: tenantA, subscriptionId, eventId, deliveryId: planned.deliveryId, attempt: 1 });
      receiver.reply({ status: 200 });
      return { eventId, deliveryId: planned.deliveryId };
    };

    it('lists deliveries with their attempts, filtered by status; 400 for a bad status', async () => {
      const { id } = await subscribe();
      const ok = await deliveredOnce(id, 200);
      const failed = await deliveredOnce(id, 503);
      const res = await http().get(`/v1/webhook-subscriptions/${id}/deliveries?limit=10`).set('x-api-key', keyA);
      expect(res.status).toBe(200);
      expect(res.body.data.map((d: { id: string }) => d.id)).toEqual([failed.deliveryId, ok.deliveryId]);
      expect(res.body.data[0]).toMatchObject({
        status: 'failed',
        attempts: 1,
        lastStatusCode: 503,
        attemptLog: [
          {
            attempt: 1,
            statusCode: 503,
            outcome: 'retryable',
            error: 'endpoint answered 503',
            durationMs: expect.any(Number),
          },
        ],
      });
      expect(res.body.data[1]).toMatchObject({
        status: 'delivered',
        eventId: ok.eventId,
        attemptLog: [{ attempt: 1, statusCode: 200, outcome: 'delivered' }],
      });
      const onlyFailed = await http()
        .get(`/v1/webhook-subscriptions/${id}/deliveries?status=failed`)
        .set('x-api-key', keyA);
      expect(onlyFailed.body.data.map((d: { id: string }) => d.id)).toEqual([failed.deliveryId]);
      const bad = await http().get(`/v1/webhook-subscriptions/${id}/deliveries?status=lost`).set('x-api-key', keyA);
      expect(bad.status).toBe(400);
      expect(JSON.stringify(bad.body.message)).toContain('status');
    });

    it('POST /v1/webhook-deliveries/{id}/replay resets the row and starts a replay run (202); 404 for another tenant', async () => {
      const { id } = await subscribe();
      const { deliveryId, eventId } = await deliveredOnce(id, 500);
      await app
        .get(WebhookDeliveryOutcomeService)
        .deadLettered({ tenantId: tenantA, deliveryId, reason: 'gave up', gone: false });

      expect((await post(`/v1/webhook-deliveries/${deliveryId}/replay`, keyB)).status).toBe(404);
      const res = await post(`/v1/webhook-deliveries/${deliveryId}/replay`, keyA);
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ id: deliveryId, status: 'pending', attempts: 0, lastError: null });
      expect(starter.starts).toEqual([
        {
          input: { tenantId: tenantA, subscriptionId: id, eventId, deliveryId, maxAttempts: 8 },
          options: { replay: true },
        },
      ]);
      expect(
        (await db.query(`SELECT status, attempts FROM webhook_deliveries WHERE id = $1`, [deliveryId]))[0],
      ).toEqual({ status: 'pending', attempts: 0 });
      expect(
        (
          await db.query(`SELECT count(*)::int AS n FROM webhook_delivery_attempts WHERE delivery_id = $1`, [
            deliveryId,
          ])
        )[0].n,
      ).toBe(1);
    });

    it('POST /v1/webhook-subscriptions/{id}/replay?since= replays failed and dead deliveries since then (202 with the count)', async () => {
      const { id } = await subscribe();
      const dead = await deliveredOnce(id, 500);
      const failed = await deliveredOnce(id, 502);
      await deliveredOnce(id, 200);
      await app
        .get(WebhookDeliveryOutcomeService)
        .deadLettered({ tenantId: tenantA, deliveryId: dead.deliveryId, reason: 'gave up', gone: false });

      const since = new Date(Date.now() - 60_000).toISOString();
      const res = await post(`/v1/webhook-subscriptions/${id}/replay?since=${encodeURIComponent(since)}`, keyA);
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ count: 2, skipped: 0 });
      expect(starter.starts.map((s) => s.input.deliveryId).sort()).toEqual([dead.deliveryId, failed.deliveryId].sort());
      const rows = await db.query(`SELECT status FROM webhook_deliveries WHERE id = ANY($1::uuid[])`, [
        [dead.deliveryId, failed.deliveryId],
      ]);
      expect(rows.map((r: { status: string }) => r.status)).toEqual(['pending', 'pending']);

      const missing = await post(`/v1/webhook-subscriptions/${id}/replay`, keyA);
      expect(missing.status).toBe(400);
      expect(JSON.stringify(missing.body.message)).toContain('since');
      expect((await post(`/v1/webhook-subscriptions/${id}/replay?since=yesterday`, keyA)).status).toBe(400);
    });
  });

  describe('event types and the Swagger document', () => {
    it('GET /v1/webhook-event-types answers the catalogue with schema names and example payloads', async () => {
      const res = await http().get('/v1/webhook-event-types').set('x-api-key', keyA);
      expect(res.status).toBe(200);
      expect(res.body.data.map((t: { type: string }) => t.type)).toEqual(WEBHOOK_EVENT_CATALOGUE.map((e) => e.type));
      const ended = res.body.data.find((t: { type: string }) => t.type === 'session.ended');
      expect(ended).toMatchObject({
        dataSchema: 'SessionEndedEventData',
        description: expect.any(String),
        example: {
          id: expect.any(String),
          type: 'session.ended',
          occurredAt: expect.any(String),
          tenantId: expect.any(String),
          data: { reason: 'inactivity' },
        },
      });
      for (const type of ['webhook.test', 'webhook.delivery_failed', 'webhook.subscription_disabled']) {
        expect(res.body.data.map((t: { type: string }) => t.type)).toContain(type);
      }
    });

    it('/docs-json documents every route and the data schema of every event type', async () => {
      const doc = (await http().get('/docs-json')).body;
      for (const path of [
        '/v1/webhook-subscriptions',
        '/v1/webhook-subscriptions/{id}',
        '/v1/webhook-subscriptions/{id}/rotate-secret',
        '/v1/webhook-subscriptions/{id}/test',
        '/v1/webhook-subscriptions/{id}/deliveries',
        '/v1/webhook-subscriptions/{id}/replay',
        '/v1/webhook-subscriptions/{id}/enable',
        '/v1/webhook-deliveries/{id}/replay',
        '/v1/webhook-event-types',
      ]) {
        expect(doc.paths).toHaveProperty([path]);
      }
      const types = (await http().get('/v1/webhook-event-types').set('x-api-key', keyA)).body.data as {
        dataSchema: string;
        example: { data: object };
      }[];
      for (const { dataSchema, example } of types) {
        const schema = doc.components.schemas[dataSchema];
        expect(schema).toBeDefined();
        // Every field of the example is documented by the schema (including inherited ones).
        const documented = new Set(Object.keys(schema.properties ?? {}));
        for (const key of Object.keys(example.data))
          expect([dataSchema, documented.has(key) ? key : `undocumented ${key}`]).toEqual([dataSchema, key]);
      }
      expect(doc.components.schemas.WebhookPayloadDto.properties.data.oneOf.length).toBeGreaterThan(15);
      expect(doc.components.schemas.WebhookSubscriptionWithSecretResponseDto.properties).toHaveProperty('secret');
      expect(doc.components.schemas.WebhookSubscriptionResponseDto.properties).not.toHaveProperty('secret');
    });
  });
});
