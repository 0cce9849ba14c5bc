import { randomUUID } from 'node:crypto';
import { type INestApplication } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { LoggerModule } from 'nestjs-pino';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ContactModule, CreateContactHandler } from '@app/contact';
import { DatabaseModule } from '@app/database';
import { OutboxModule } from '@app/outbox';
import { EndSessionHandler, FindOrOpenSessionHandler, type SessionView, emptySessionMessageStats } from '@app/session';
import { SecretsModule } from '@app/shared';
import { TenantModule, TenantService } from '@app/tenant';
import { createTestDatabase, ownerView } from '../../../../test/support/database';
import { configureApp } from '../configure-app';
import { ApiAccessModule } from '../platform/api-access.module';
import { SessionsHttpModule } from './sessions-http.module';
import { WorkflowGatewaysModule, TemporalClientModule } from '@app/workflows';
import { TestEnv } from '../../../../test/support/test-env';

const T0 = new Date('2025-11-26T10:00:00.000Z');
const plus = (seconds: number) => new Date(T0.getTime() + seconds * 1_000);

/** GET /v1/sessions[/{id}] over real HTTP, with the app's guard, error filter, validation pipe and Swagger. */
describe('Sessions REST API (real PostgreSQL)', () => {
  let app: INestApplication;
  let keyA: string;
  let keyB: string;
  let tenantA: string;
  let contactId: string;
  let otherContactId: string;
  let channelId: string;
  let active: SessionView;
  let ended: SessionView;

  beforeAll(async () => {
    Object.assign(process.env, {
      DATABASE_URL: await createTestDatabase(),
      DATABASE_POOL_SIZE: '5',
      TEMPORAL_ADDRESS: TestEnv.temporalAddress(),
      TEMPORAL_NAMESPACE: 'default',
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
        ContactModule,
        TemporalClientModule,
        WorkflowGatewaysModule,
        SessionsHttpModule,
      ],
      providers: [],
    }).compile();
    app = configureApp(moduleRef.createNestApplication({ logger: false, bufferLogs: true }));
    await app.init();

    const tenants = app.get(TenantService);
    const a = await tenants.createTenant('HTTP A');
    const b = await tenants.createTenant('HTTP B');
    keyA = a.apiKey;
    keyB = b.apiKey;
    tenantA = a.tenant.id;

    const contacts = app.get(CreateContactHandler);
    contactId = (await contacts.execute({ tenantId: tenantA, phone: '5511987650001' })).id;
    otherContactId = (await contacts.execute({ tenantId: tenantA, phone: '5511987650002' })).id;
    channelId = randomUUID();
    await (
      await ownerView(app.get(DataSource))
    ).query(
      `INSERT INTO channels (id, tenant_id, name, waha_base_url, waha_session, webhook_secret_enc, created_at, updated_at)
         VALUES ($1, $2, 'main', 'http://127.0.0.1:3000', 'default', 'v1.x.y.z', now(), now())`,
      [channelId, tenantA],
    );

    const findOrOpen = app.get(FindOrOpenSessionHandler);
    const first = await findOrOpen.execute({
      tenantId: tenantA,
      contactId,
      channelId,
      at: T0,
      timeoutSeconds: 1800,
      warningLeadSeconds: 300,
    });
    ended = (
      await app.get(EndSessionHandler).execute({
        tenantId: tenantA,
        sessionId: first.session.id,
        reason: 'manual',
        at: plus(120),
        stats: { ...emptySessionMessageStats(), inbound: 1, firstMessageAt: T0, lastMessageAt: T0, firstInboundAt: T0 },
      })
    ).session;
    active = (
      await findOrOpen.execute({
        tenantId: tenantA,
        contactId,
        channelId,
        at: plus(600),
        timeoutSeconds: 1800,
        warningLeadSeconds: 300,
      })
    ).session;
    await findOrOpen.execute({
      tenantId: tenantA,
      contactId: otherContactId,
      channelId,
      at: plus(700),
      timeoutSeconds: 900,
    });
  });

  afterAll(async () => {
    await app?.close();
  });

  const get = (path: string, key?: string) => {
    const req = request(app.getHttpServer()).get(path);
    return key ? req.set('x-api-key', key) : req;
  };

  it('needs an API key', async () => {
    const res = await get('/v1/sessions');
    expect(res.status).toBe(401);
  });

  it('gets a session with its deadline and warning time, and an ended one with its reason and summary', async () => {
    const res = await get(`/v1/sessions/${active.id}`, keyA);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(active);
    expect(res.body).toMatchObject({
      status: 'active',
      deadlineAt: plus(2400).toISOString(),
      warningAt: plus(2100).toISOString(),
    });

    const done = await get(`/v1/sessions/${ended.id}`, keyA);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({
      status: 'ended',
      endReason: 'manual',
      endedAt: plus(120).toISOString(),
      deadlineAt: null,
      summary: { messagesInbound: 1, messagesTotal: 1, durationSeconds: 120, firstResponseSeconds: null },
    });
  });

  it("answers 404 for another tenant's session and 400 for a malformed id", async () => {
    const other = await get(`/v1/sessions/${active.id}`, keyB);
    expect(other.status).toBe(404);
    expect(other.body).toMatchObject({ code: 'SESSION.NOT_FOUND' });
    const bad = await get('/v1/sessions/not-a-uuid', keyA);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.message)).toContain('id');
  });

  it('lists newest first with filters and keyset paging', async () => {
    const all = await get('/v1/sessions', keyA);
    expect(all.status).toBe(200);
    expect(all.body.data).toHaveLength(3);
    expect(all.body.nextCursor).toBeNull();

    const mine = await get(`/v1/sessions?contactId=${contactId}&channelId=${channelId}`, keyA);
    expect(mine.body.data.map((s: SessionView) => s.id).sort()).toEqual([active.id, ended.id].sort());
    const activeOnly = await get(`/v1/sessions?contactId=${contactId}&status=active`, keyA);
    expect(activeOnly.body.data.map((s: SessionView) => s.id)).toEqual([active.id]);
    const endedOnly = await get('/v1/sessions?status=ended', keyA);
    expect(endedOnly.body.data.map((s: SessionView) => s.id)).toEqual([ended.id]);

    const page1 = await get('/v1/sessions?limit=2', keyA);
    expect(page1.body.data).toHaveLength(2);
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    const page2 = await get(`/v1/sessions?limit=2&cursor=${encodeURIComponent(page1.body.nextCursor)}`, keyA);
    expect(page2.body.data).toHaveLength(1);
    expect(page2.body.nextCursor).toBeNull();
    expect([...page1.body.data, ...page2.body.data].map((s: SessionView) => s.id)).toEqual(
      all.body.data.map((s: SessionView) => s.id),
    );

    expect((await get('/v1/sessions', keyB)).body).toEqual({ data: [], nextCursor: null });
  });

  it.each([
    ['contactId=abc', 'contactId'],
    ['channelId=123', 'channelId'],
    ['status=open', 'status'],
    ['limit=0', 'limit'],
    ['limit=abc', 'limit'],
    ['cursor=garbage', 'cursor'],
    ['unknown=1', 'unknown'],
  ])('answers 400 naming the field for ?%s', async (query, field) => {
    const res = await get(`/v1/sessions?${query}`, keyA);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.message)).toContain(field);
  });

  it('documents both routes in Swagger, with the api-key security scheme', async () => {
    const doc = (await get('/docs-json')).body;
    expect(doc.paths['/v1/sessions'].get.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['contactId', 'channelId', 'status', 'limit', 'cursor']),
    );
    expect(doc.paths['/v1/sessions/{id}'].get.security).toEqual([{ 'api-key': ['read'] }]);
    expect(doc.components.schemas.SessionResponseDto.properties).toHaveProperty('deadlineAt');
    expect(doc.components.schemas.SessionSummaryResponseDto.properties).toHaveProperty('firstResponseSeconds');
  });
});
