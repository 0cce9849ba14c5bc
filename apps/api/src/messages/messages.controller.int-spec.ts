import { type INestApplication } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { LoggerModule } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { DatabaseModule } from '@app/database';
import { CreateMessageHandler, type MessageView } from '@app/message';
import { type SeededConversation, newMessageInput, seedConversation, waMessageId } from '@app/message/testing';
import { OutboxModule } from '@app/outbox';
import { SecretsModule } from '@app/shared';
import { TenantModule, TenantService } from '@app/tenant';
import { createTestDatabase, ownerView } from '../../../../test/support/database';
import { configureApp } from '../configure-app';
import { ApiAccessModule } from '../platform/api-access.module';
import { MessagesHttpModule } from './messages-http.module';

/** `/v1/messages` over real HTTP on 127.0.0.1, with the app's guard, error filter, validation and Swagger. */
describe('MessagesController (HTTP, real PostgreSQL)', () => {
  let app: INestApplication;
  let base: string;
  let keyA: string;
  let keyB: string;
  let conv: SeededConversation;
  let other: SeededConversation;
  const created: MessageView[] = [];

  const call = async (path: string, key?: string) => {
    const res = await fetch(`${base}${path}`, { headers: key ? { 'x-api-key': key } : {} });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };

  beforeAll(async () => {
    process.env.DATABASE_URL = await createTestDatabase();
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true }),
        LoggerModule.forRoot({ pinoHttp: { level: 'silent' } }),
        SecretsModule,
        DatabaseModule,
        OutboxModule,
        TenantModule,
        ApiAccessModule,
        MessagesHttpModule,
      ],
      providers: [],
    }).compile();
    app = configureApp(moduleRef.createNestApplication({ logger: false, bufferLogs: true }));
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();

    const tenants = app.get(TenantService);
    const a = await tenants.createTenant('Tenant A');
    const b = await tenants.createTenant('Tenant B');
    keyA = a.apiKey;
    keyB = b.apiKey;
    const db = await ownerView(app.get(DataSource));
    conv = await seedConversation(db, a.tenant.id);
    other = await seedConversation(db, a.tenant.id, { channelId: conv.channelId });
    const create = app.get(CreateMessageHandler, { strict: false });
    for (const [on, i] of [conv, conv, conv, other].map((c, i) => [c, i] as const)) {
      const { message } = await create.execute(
        newMessageInput({
          tenantId: on.tenantId,
          sessionId: on.sessionId,
          contactId: on.contactId,
          channelId: on.channelId,
          externalId: waMessageId('inbound'),
          text: `message ${i}`,
        }),
      );
      created.push(message);
    }
  });

  afterAll(() => app?.close());

  it('needs an API key', async () => {
    expect((await call('/v1/messages')).status).toBe(401);
  });

  it("lists the tenant's messages newest first and pages with nextCursor", async () => {
    const first = await call('/v1/messages?limit=3', keyA);
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(3);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await call(`/v1/messages?limit=3&cursor=${encodeURIComponent(first.body.nextCursor)}`, keyA);
    expect(second.body).toEqual({ data: [expect.any(Object)], nextCursor: null });
    const newestFirst = [...created].sort((x, y) => y.createdAt.localeCompare(x.createdAt) || (x.id < y.id ? 1 : -1));
    expect([...first.body.data, ...second.body.data].map((m: MessageView) => m.id)).toEqual(
      newestFirst.map((m) => m.id),
    );

    expect((await call('/v1/messages', keyB)).body).toEqual({ data: [], nextCursor: null });
  });

  it('filters by session, contact and channel', async () => {
    const bySession = await call(`/v1/messages?sessionId=${other.sessionId}`, keyA);
    expect(bySession.body.data.map((m: MessageView) => m.text)).toEqual(['message 3']);
    const byContact = await call(`/v1/messages?contactId=${conv.contactId}`, keyA);
    expect(byContact.body.data).toHaveLength(3);
    const byChannel = await call(`/v1/messages?channelId=${conv.channelId}&limit=50`, keyA);
    expect(byChannel.body.data).toHaveLength(4);
  });

  it('answers 400 naming the field for malformed filters, limits and cursors', async () => {
    for (const [query, field] of [
      ['sessionId=nope', 'sessionId'],
      ['contactId=123', 'contactId'],
      ['channelId=x', 'channelId'],
      ['limit=0', 'limit'],
    ]) {
      const res = await call(`/v1/messages?${query}`, keyA);
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body.message)).toContain(field);
    }
    const badCursor = await call('/v1/messages?cursor=garbage', keyA);
    expect(badCursor.status).toBe(400);
    expect(badCursor.body).toMatchObject({ code: 'VALIDATION_FAILED', field: 'cursor' });
    expect((await call('/v1/messages?unknown=1', keyA)).status).toBe(400);
  });

  it('gets one message of the tenant; 404 for other tenants, 400 for a malformed id', async () => {
    const message = created[1]!;
    const res = await call(`/v1/messages/${message.id}`, keyA);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(message);

    const foreign = await call(`/v1/messages/${message.id}`, keyB);
    expect(foreign.status).toBe(404);
    expect(foreign.body).toMatchObject({ code: 'MESSAGE.NOT_FOUND', field: 'id' });

    const malformed = await call('/v1/messages/not-a-uuid', keyA);
    expect(malformed.status).toBe(400);
    expect(malformed.body.message).toBe('id must be a UUID');
  });

  it('documents both routes in Swagger with the api-key scheme', async () => {
    const doc = (await call('/docs-json')).body;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/messages', '/v1/messages/{id}']));
    expect(doc.paths['/v1/messages'].get.security).toEqual([{ 'api-key': ['read'] }]);
    expect(doc.paths['/v1/messages'].get.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['limit', 'cursor', 'sessionId', 'contactId', 'channelId']),
    );
    expect(doc.components.schemas.MessageResponseDto.properties.status.enum).toContain('played');
  });
});
