import { type TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { NotFoundError, SecretCipher, ValidationError } from '@app/shared';
import {
  ChannelModule,
  ChannelNotFoundError,
  type ChannelView,
  type ChannelWithWebhookSecretView,
  ChannelVersionConflictError,
  CreateChannelHandler,
  DuplicateChannelNameError,
  GetChannelHandler,
  GetSessionPolicyHandler,
  GetWahaConnectionHandler,
  ListChannelsHandler,
  RecordWahaSessionStatusHandler,
  ResolveInboundChannelHandler,
  RotateWebhookSecretHandler,
  UpdateChannelHandler,
} from '@app/channel';
import { outboxRowsFor } from '../../../../test/support/contact-test-context';
import { createTenant, createTestContext } from '../../../../test/support/nest';
import { ownerView } from '../../../../test/support/database';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

interface ChannelRow {
  tenant_id: string;
  name: string;
  waha_base_url: string;
  waha_session: string;
  waha_api_key_enc: string | null;
  webhook_secret_enc: string;
  version: number;
}

describe('Channel use cases (real PostgreSQL)', () => {
  let moduleRef: TestingModule;
  let db: DataSource;
  let cipher: SecretCipher;
  let create: CreateChannelHandler;
  let get: GetChannelHandler;
  let list: ListChannelsHandler;
  let update: UpdateChannelHandler;
  let rotate: RotateWebhookSecretHandler;
  let recordStatus: RecordWahaSessionStatusHandler;
  let resolveInbound: ResolveInboundChannelHandler;
  let wahaConnection: GetWahaConnectionHandler;
  let sessionPolicy: GetSessionPolicyHandler;
  let tenantA: string;
  let tenantB: string;
  /** Every plaintext secret handed to or returned by the handlers: none may appear in an event. */
  const plaintextSecrets: string[] = [];

  beforeAll(async () => {
    ({ moduleRef } = await createTestContext([ChannelModule]));
    db = await ownerView(moduleRef.get(DataSource));
    cipher = moduleRef.get(SecretCipher);
    create = moduleRef.get(CreateChannelHandler);
    get = moduleRef.get(GetChannelHandler);
    list = moduleRef.get(ListChannelsHandler);
    update = moduleRef.get(UpdateChannelHandler);
    rotate = moduleRef.get(RotateWebhookSecretHandler);
    recordStatus = moduleRef.get(RecordWahaSessionStatusHandler);
    resolveInbound = moduleRef.get(ResolveInboundChannelHandler);
    wahaConnection = moduleRef.get(GetWahaConnectionHandler);
    sessionPolicy = moduleRef.get(GetSessionPolicyHandler);
    tenantA = (await createTenant(moduleRef, 'Tenant A')).tenantId;
    tenantB = (await createTenant(moduleRef, 'Tenant B')).tenantId;
  });

  afterAll(async () => {
    await moduleRef?.close();
  });

  const rowOf = async (id: string): Promise<ChannelRow> =>
    (
      await db.query(
        `SELECT tenant_id, name, waha_base_url, waha_session, waha_api_key_enc, webhook_secret_enc, version FROM channels WHERE id = $1`,
        [id],
      )
    )[0];

  let counter = 0;
  const newChannel = async (
    tenantId: string,
    overrides: Partial<Parameters<CreateChannelHandler['execute']>[0]> = {},
  ) => {
    counter += 1;
    const created = await create.execute({
      tenantId,
      name: `Channel ${counter}`,
      wahaBaseUrl: 'http://waha.local:3000',
      ...overrides,
    });
    plaintextSecrets.push(created.webhookSecret);
    return created;
  };

  describe('create and get', () => {
    let created: ChannelWithWebhookSecretView;

    beforeAll(async () => {
      plaintextSecrets.push('waha-api-key-0001');
      created = await create.execute({
        tenantId: tenantA,
        name: '  Sales BR ',
        wahaBaseUrl: 'https://waha.example.com/',
        wahaApiKey: 'waha-api-key-0001',
        sessionTimeoutSeconds: 3600,
        sessionWarningLeadSeconds: 300,
        sessionWarningText: 'Are you still there?',
        debounceWindowMs: 1500,
        inboundMode: 'direct',
      });
      plaintextSecrets.push(created.webhookSecret);
    });

    it('stores the channel and answers its view once with a generated webhook secret and the webhook path', () => {
      expect(created).toEqual<ChannelWithWebhookSecretView>({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name: 'Sales BR',
        type: 'waha',
        wahaBaseUrl: 'https://waha.example.com',
        wahaSession: 'default',
        hasWahaApiKey: true,
        allowGroups: false,
        sessionTimeoutSeconds: 3600,
        sessionWarningLeadSeconds: 300,
        sessionWarningText: 'Are you still there?',
        debounceWindowMs: 1500,
        inboundMode: 'direct',
        wahaStatus: null,
        wahaStatusAt: null,
        wahaCircuit: { state: 'closed', changedAt: null, lastFailure: null },
        webhookPath: `/v1/channels/${created.id}/waha/events`,
        createdAt: expect.any(String),
        updatedAt: created.createdAt,
        webhookSecret: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
    });

    it('never shows the secrets again: GET answers the view without them', async () => {
      const { webhookSecret: _secret, ...view } = created;
      const fetched = await get.execute({ tenantId: tenantA, id: created.id });
      expect(fetched).toEqual(view);
      expect(fetched).not.toHaveProperty('webhookSecret');
      expect(JSON.stringify(fetched)).not.toContain(created.webhookSecret);
      expect(JSON.stringify(fetched)).not.toContain('waha-api-key-0001');
    });

    it('stores both secrets encrypted: the row holds ciphertext that decrypts to them, never the plaintext', async () => {
      const row = await rowOf(created.id);
      expect(row).toMatchObject({
        tenant_id: tenantA,
        name: 'Sales BR',
        waha_base_url: 'https://waha.example.com',
        waha_session: 'default',
        version: 1,
      });
      expect(row.webhook_secret_enc).toMatch(/^v1\./);
      expect(row.waha_api_key_enc).toMatch(/^v1\./);
      const rawRow = JSON.stringify((await db.query(`SELECT * FROM channels WHERE id = $1`, [created.id]))[0]);
      expect(rawRow).not.toContain(created.webhookSecret);
      expect(rawRow).not.toContain('waha-api-key-0001');
      expect(cipher.decrypt(row.webhook_secret_enc)).toBe(created.webhookSecret);
      expect(cipher.decrypt(row.waha_api_key_enc!)).toBe('waha-api-key-0001');
    });

    it('writes exactly one channel.created outbox row, without secrets', async () => {
      const events = await outboxRowsFor(db, created.id);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        tenant_id: tenantA,
        aggregate_type: 'channel',
        aggregate_id: created.id,
        type: 'channel.created',
        status: 'pending',
        payload: {
          id: created.id,
          name: 'Sales BR',
          wahaBaseUrl: 'https://waha.example.com',
          hasWahaApiKey: true,
          sessionTimeoutSeconds: 3600,
          inboundMode: 'direct',
          createdAt: created.createdAt,
        },
      });
      const payload = JSON.stringify(events[0]!.payload);
      expect(payload).not.toContain(created.webhookSecret);
      expect(payload).not.toContain('waha-api-key-0001');
      expect(payload).not.toMatch(/"v1\./);
    });

    it('takes an operator-chosen webhook secret and defaults what is not given', async () => {
      const chosen = 'my-own-hmac-secret-0123456789';
      plaintextSecrets.push(chosen);
      const channel = await create.execute({
        tenantId: tenantA,
        name: 'Chosen secret',
        wahaBaseUrl: 'http://waha:3000',
        webhookSecret: chosen,
      });
      expect(channel).toMatchObject({
        webhookSecret: chosen,
        hasWahaApiKey: false,
        wahaSession: 'default',
        allowGroups: false,
        inboundMode: null,
      });
      expect((await rowOf(channel.id)).waha_api_key_enc).toBeNull();
      await expect(resolveInbound.execute(channel.id)).resolves.toMatchObject({ webhookSecret: chosen });
    });

    it('refuses a second channel with the same name in any case, and writes nothing for it', async () => {
      const outboxBefore = Number(
        (await db.query(`SELECT count(*) AS n FROM outbox_events WHERE tenant_id = $1`, [tenantA]))[0].n,
      );
      const error = await rejection(
        create.execute({ tenantId: tenantA, name: 'SALES br', wahaBaseUrl: 'http://waha:3000' }),
      );
      expect(error).toBeInstanceOf(DuplicateChannelNameError);
      expect((error as DuplicateChannelNameError).code).toBe('CHANNEL.DUPLICATE_NAME');
      expect((error as DuplicateChannelNameError).field).toBe('name');
      expect(
        Number((await db.query(`SELECT count(*) AS n FROM outbox_events WHERE tenant_id = $1`, [tenantA]))[0].n),
      ).toBe(outboxBefore);
      // Another tenant may use the name.
      await expect(newChannel(tenantB, { name: 'Sales BR' })).resolves.toMatchObject({ name: 'Sales BR' });
    });

    it('rejects invalid settings with a ValidationError naming the field, and writes nothing', async () => {
      const before = Number((await db.query(`SELECT count(*) AS n FROM channels`))[0].n);
      const cases: [Partial<Parameters<CreateChannelHandler['execute']>[0]>, string][] = [
        [{ wahaBaseUrl: 'ftp://waha' }, 'wahaBaseUrl'],
        [{ sessionTimeoutSeconds: 30 }, 'sessionTimeoutSeconds'],
        [
          { sessionTimeoutSeconds: 600, sessionWarningLeadSeconds: 600, sessionWarningText: 'Hi' },
          'sessionWarningLeadSeconds',
        ],
        [{ sessionTimeoutSeconds: 600, sessionWarningLeadSeconds: 60 }, 'sessionWarningLeadSeconds'],
        [{ webhookSecret: 'too-short' }, 'webhookSecret'],
        [{ wahaApiKey: 'has spaces in it' }, 'wahaApiKey'],
        [{ debounceWindowMs: 50 }, 'debounceWindowMs'],
        [{ tenantId: 'not-a-uuid' }, 'tenantId'],
      ];
      for (const [overrides, field] of cases) {
        const error = await rejection(
          create.execute({
            tenantId: tenantA,
            name: `Invalid ${field}`,
            wahaBaseUrl: 'http://waha:3000',
            ...overrides,
          }),
        );
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).field).toBe(field);
      }
      expect(Number((await db.query(`SELECT count(*) AS n FROM channels`))[0].n)).toBe(before);
    });

    it('answers ChannelNotFoundError for an unknown id and ValidationError for a malformed one', async () => {
      const missing = await rejection(get.execute({ tenantId: tenantA, id: '00000000-0000-4000-8000-000000000000' }));
      expect(missing).toBeInstanceOf(ChannelNotFoundError);
      expect(missing).toBeInstanceOf(NotFoundError);
      expect((missing as ChannelNotFoundError).code).toBe('CHANNEL.NOT_FOUND');
      const malformed = await rejection(get.execute({ tenantId: tenantA, id: 'nope' }));
      expect(malformed).toBeInstanceOf(ValidationError);
      expect((malformed as ValidationError).field).toBe('id');
    });
  });

  describe('update', () => {
    it('changes only the given fields, stores them and raises channel.updated with the new values', async () => {
      const created = await newChannel(tenantA, { sessionTimeoutSeconds: 900 });
      const updated = await update.execute({
        tenantId: tenantA,
        id: created.id,
        name: 'Renamed',
        wahaSession: 'sales',
        allowGroups: true,
        sessionTimeoutSeconds: null,
        debounceWindowMs: 3000,
      });
      expect(updated).toMatchObject({
        id: created.id,
        name: 'Renamed',
        wahaBaseUrl: 'http://waha.local:3000',
        wahaSession: 'sales',
        allowGroups: true,
        sessionTimeoutSeconds: null,
        debounceWindowMs: 3000,
        createdAt: created.createdAt,
      });
      expect(updated).not.toHaveProperty('webhookSecret');
      await expect(get.execute({ tenantId: tenantA, id: created.id })).resolves.toEqual(updated);
      expect((await rowOf(created.id)).version).toBe(2);

      const events = await outboxRowsFor(db, created.id);
      expect(events.map((e) => e.type)).toEqual(['channel.created', 'channel.updated']);
      expect(events[1]!.payload).toMatchObject({
        changedFields: ['name', 'wahaSession', 'allowGroups', 'sessionTimeoutSeconds', 'debounceWindowMs'],
        changes: {
          name: 'Renamed',
          wahaSession: 'sales',
          allowGroups: true,
          sessionTimeoutSeconds: null,
          debounceWindowMs: 3000,
        },
        updatedAt: updated.updatedAt,
      });
    });

    it('stores nothing and raises nothing when no value changes', async () => {
      const created = await newChannel(tenantA);
      const { webhookSecret: _secret, ...view } = created;
      const same = await update.execute({
        tenantId: tenantA,
        id: created.id,
        name: ` ${created.name} `,
        wahaBaseUrl: 'http://waha.local:3000/',
      });
      expect(same).toEqual(view);
      expect((await outboxRowsFor(db, created.id)).map((e) => e.type)).toEqual(['channel.created']);
      expect((await rowOf(created.id)).version).toBe(1);
    });

    it('sets, keeps and removes the WAHA API key: encrypted, named in the event, never its value', async () => {
      const created = await newChannel(tenantA);
      plaintextSecrets.push('new-waha-key-42');
      const withKey = await update.execute({ tenantId: tenantA, id: created.id, wahaApiKey: 'new-waha-key-42' });
      expect(withKey.hasWahaApiKey).toBe(true);
      const row = await rowOf(created.id);
      expect(row.waha_api_key_enc).not.toContain('new-waha-key-42');
      expect(cipher.decrypt(row.waha_api_key_enc!)).toBe('new-waha-key-42');
      await expect(wahaConnection.execute({ tenantId: tenantA, channelId: created.id })).resolves.toEqual({
        baseUrl: 'http://waha.local:3000',
        session: 'default',
        apiKey: 'new-waha-key-42',
        channelId: created.id,
      });

      // The same key again is no change (even though its ciphertext would differ).
      await update.execute({ tenantId: tenantA, id: created.id, wahaApiKey: 'new-waha-key-42' });
      expect((await rowOf(created.id)).waha_api_key_enc).toBe(row.waha_api_key_enc);

      const without = await update.execute({ tenantId: tenantA, id: created.id, wahaApiKey: null });
      expect(without.hasWahaApiKey).toBe(false);
      expect((await rowOf(created.id)).waha_api_key_enc).toBeNull();
      await expect(wahaConnection.execute({ tenantId: tenantA, channelId: created.id })).resolves.toMatchObject({
        apiKey: null,
      });

      const events = await outboxRowsFor(db, created.id);
      expect(events.map((e) => [e.type, (e.payload as { changedFields?: string[] }).changedFields])).toEqual([
        ['channel.created', undefined],
        ['channel.updated', ['wahaApiKey']],
        ['channel.updated', ['wahaApiKey']],
      ]);
      expect(events[1]!.payload).toMatchObject({ hasWahaApiKey: true, changes: {} });
      expect(JSON.stringify(events.map((e) => e.payload))).not.toContain('new-waha-key-42');
    });

    it('checks the warning rules against the stored settings, naming sessionWarningLeadSeconds', async () => {
      const created = await newChannel(tenantA, {
        sessionTimeoutSeconds: 600,
        sessionWarningLeadSeconds: 120,
        sessionWarningText: 'Still there?',
      });
      for (const change of [
        { sessionTimeoutSeconds: 120 },
        { sessionWarningLeadSeconds: 900 },
        { sessionWarningText: null },
      ]) {
        const error = await rejection(update.execute({ tenantId: tenantA, id: created.id, ...change }));
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).field).toBe('sessionWarningLeadSeconds');
      }
      expect((await rowOf(created.id)).version).toBe(1);
    });

    it('refuses a name another channel of the tenant has and leaves both as they were', async () => {
      const taken = await newChannel(tenantA, { name: 'Taken name' });
      const mover = await newChannel(tenantA);
      const error = await rejection(
        update.execute({ tenantId: tenantA, id: mover.id, name: 'TAKEN NAME', allowGroups: true }),
      );
      expect(error).toBeInstanceOf(DuplicateChannelNameError);
      expect(await get.execute({ tenantId: tenantA, id: mover.id })).toMatchObject({
        name: mover.name,
        allowGroups: false,
      });
      expect(await get.execute({ tenantId: tenantA, id: taken.id })).toMatchObject({ name: 'Taken name' });
      expect((await outboxRowsFor(db, mover.id)).map((e) => e.type)).toEqual(['channel.created']);
    });

    it('serialises concurrent changes of one channel instead of failing them', async () => {
      const created = await newChannel(tenantA);
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) =>
          update.execute({ tenantId: tenantA, id: created.id, debounceWindowMs: 1000 + i }),
        ),
      );
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      expect(results.some((r) => r.status === 'rejected' && r.reason instanceof ChannelVersionConflictError)).toBe(
        false,
      );
      const events = await outboxRowsFor(db, created.id);
      expect(events).toHaveLength(9);
      expect((await rowOf(created.id)).version).toBe(9);
    });
  });

  describe('rotate webhook secret', () => {
    it('replaces the secret, shows the new one once, and raises channel.updated naming only the field', async () => {
      const created = await newChannel(tenantA);
      const rotated = await rotate.execute({ tenantId: tenantA, id: created.id });
      plaintextSecrets.push(rotated.webhookSecret);
      expect(rotated.webhookSecret).toMatch(/^[0-9a-f]{64}$/);
      expect(rotated.webhookSecret).not.toBe(created.webhookSecret);
      expect(rotated).toMatchObject({ id: created.id, name: created.name, webhookPath: created.webhookPath });

      const row = await rowOf(created.id);
      expect(cipher.decrypt(row.webhook_secret_enc)).toBe(rotated.webhookSecret);
      expect(row.version).toBe(2);
      await expect(resolveInbound.execute(created.id)).resolves.toMatchObject({ webhookSecret: rotated.webhookSecret });
      expect(await get.execute({ tenantId: tenantA, id: created.id })).not.toHaveProperty('webhookSecret');

      const events = await outboxRowsFor(db, created.id);
      expect(events.map((e) => e.type)).toEqual(['channel.created', 'channel.updated']);
      expect(events[1]!.payload).toMatchObject({ changedFields: ['webhookSecret'], changes: {} });
      const payloads = JSON.stringify(events.map((e) => e.payload));
      expect(payloads).not.toContain(rotated.webhookSecret);
      expect(payloads).not.toContain(created.webhookSecret);
    });

    it('takes an operator-chosen secret and validates it', async () => {
      const created = await newChannel(tenantA);
      const chosen = 'rotated-by-operator-0000000001';
      plaintextSecrets.push(chosen);
      await expect(rotate.execute({ tenantId: tenantA, id: created.id, webhookSecret: chosen })).resolves.toMatchObject(
        { webhookSecret: chosen },
      );
      const error = await rejection(rotate.execute({ tenantId: tenantA, id: created.id, webhookSecret: 'short' }));
      expect((error as ValidationError).field).toBe('webhookSecret');
      await expect(resolveInbound.execute(created.id)).resolves.toMatchObject({ webhookSecret: chosen });
    });
  });

  describe('resolve inbound channel', () => {
    it('finds the channel by id alone and answers its tenant and decrypted webhook secret', async () => {
      const created = await newChannel(tenantB, { name: 'Inbound B' });
      const resolved = await resolveInbound.execute(created.id);
      const { webhookSecret, ...view } = created;
      expect(resolved).toEqual({ channel: view, tenantId: tenantB, webhookSecret });
    });

    it('answers ChannelNotFoundError for unknown and malformed ids', async () => {
      expect(await rejection(resolveInbound.execute('00000000-0000-4000-8000-000000000000'))).toBeInstanceOf(
        ChannelNotFoundError,
      );
      expect(await rejection(resolveInbound.execute('not-a-uuid'))).toBeInstanceOf(ChannelNotFoundError);
    });
  });

  describe('session policy', () => {
    let tenant: string;

    beforeAll(async () => {
      tenant = (await createTenant(moduleRef, 'Policy tenant')).tenantId;
    });

    const setTenantDefault = (seconds: number | null) =>
      db.query(`UPDATE tenants SET default_session_timeout_seconds = $2 WHERE id = $1`, [tenant, seconds]);

    it('uses the channel timeout first, then the tenant default, then 30 minutes', async () => {
      const own = await newChannel(tenant, {
        sessionTimeoutSeconds: 600,
        allowGroups: true,
        debounceWindowMs: 2000,
        inboundMode: 'saga',
      });
      const inherits = await newChannel(tenant);

      await setTenantDefault(null);
      await expect(sessionPolicy.execute({ tenantId: tenant, channelId: own.id })).resolves.toEqual({
        timeoutSeconds: 600,
        warningLeadSeconds: null,
        warningText: null,
        debounceWindowMs: 2000,
        allowGroups: true,
        inboundMode: 'saga',
      });
      await expect(sessionPolicy.execute({ tenantId: tenant, channelId: inherits.id })).resolves.toEqual({
        timeoutSeconds: 1800,
        warningLeadSeconds: null,
        warningText: null,
        debounceWindowMs: null,
        allowGroups: false,
        inboundMode: null,
      });

      await setTenantDefault(3600);
      expect((await sessionPolicy.execute({ tenantId: tenant, channelId: inherits.id })).timeoutSeconds).toBe(3600);
      expect((await sessionPolicy.execute({ tenantId: tenant, channelId: own.id })).timeoutSeconds).toBe(600);

      // Clearing the channel's own timeout makes it follow the tenant default.
      await update.execute({ tenantId: tenant, id: own.id, sessionTimeoutSeconds: null });
      expect((await sessionPolicy.execute({ tenantId: tenant, channelId: own.id })).timeoutSeconds).toBe(3600);
    });

    it('keeps the warning only while it comes before the effective timeout', async () => {
      const warned = await newChannel(tenant, { sessionWarningLeadSeconds: 900, sessionWarningText: 'Closing soon' });

      await setTenantDefault(null);
      await expect(sessionPolicy.execute({ tenantId: tenant, channelId: warned.id })).resolves.toMatchObject({
        timeoutSeconds: 1800,
        warningLeadSeconds: 900,
        warningText: 'Closing soon',
      });

      await setTenantDefault(600);
      await expect(sessionPolicy.execute({ tenantId: tenant, channelId: warned.id })).resolves.toMatchObject({
        timeoutSeconds: 600,
        warningLeadSeconds: null,
        warningText: null,
      });

      await update.execute({ tenantId: tenant, id: warned.id, sessionTimeoutSeconds: 7200 });
      await expect(sessionPolicy.execute({ tenantId: tenant, channelId: warned.id })).resolves.toMatchObject({
        timeoutSeconds: 7200,
        warningLeadSeconds: 900,
        warningText: 'Closing soon',
      });
    });
  });

  describe('WAHA session status', () => {
    const at = (seconds: number) => new Date(Date.UTC(2025, 10, 26, 10, 0, seconds));

    it('stores a status change with channel.updated, ignores older reports and refreshes on a repeat', async () => {
      const created = await newChannel(tenantA);
      const first = await recordStatus.execute({ channelId: created.id, status: 'STARTING', at: at(10) });
      expect(first.outcome).toBe('changed');
      expect(first.channel).toMatchObject({ wahaStatus: 'STARTING', wahaStatusAt: at(10).toISOString() });

      // Epoch milliseconds (WAHA's envelope timestamp) and ISO strings are accepted too.
      expect(
        (await recordStatus.execute({ channelId: created.id, status: 'WORKING', at: at(20).getTime() })).outcome,
      ).toBe('changed');
      expect(
        (await recordStatus.execute({ channelId: created.id, status: 'SCAN_QR_CODE', at: at(15).toISOString() }))
          .outcome,
      ).toBe('ignored');
      expect(
        (await recordStatus.execute({ channelId: created.id, status: 'WORKING', at: at(30), tenantId: tenantA }))
          .outcome,
      ).toBe('refreshed');

      await expect(get.execute({ tenantId: tenantA, id: created.id })).resolves.toMatchObject({
        wahaStatus: 'WORKING',
        wahaStatusAt: at(30).toISOString(),
      });
      const events = await outboxRowsFor(db, created.id);
      expect(events.map((e) => [e.type, (e.payload as { wahaStatus?: string }).wahaStatus])).toEqual([
        ['channel.created', null],
        ['channel.updated', 'STARTING'],
        ['channel.updated', 'WORKING'],
      ]);
      expect(events[2]!.payload).toMatchObject({
        changedFields: ['wahaStatus'],
        changes: { wahaStatus: 'WORKING', wahaStatusAt: at(20).toISOString() },
      });
    });

    it('ends with the latest report whatever order concurrent reports arrive in', async () => {
      const created = await newChannel(tenantA);
      const reports = [3, 7, 1, 9, 4, 8, 2, 6, 5].map((s) => ({ status: s % 2 ? 'WORKING' : 'FAILED', at: at(s) }));
      const results = await Promise.allSettled(
        reports.map((r) => recordStatus.execute({ channelId: created.id, ...r })),
      );
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      await expect(get.execute({ tenantId: tenantA, id: created.id })).resolves.toMatchObject({
        wahaStatus: 'WORKING',
        wahaStatusAt: at(9).toISOString(),
      });
    });

    it('refuses unknown channels, other tenants, malformed statuses and times', async () => {
      const created = await newChannel(tenantA);
      expect(
        await rejection(
          recordStatus.execute({ channelId: created.id, tenantId: tenantB, status: 'WORKING', at: at(1) }),
        ),
      ).toBeInstanceOf(ChannelNotFoundError);
      expect(
        await rejection(
          recordStatus.execute({ channelId: '00000000-0000-4000-8000-000000000000', status: 'WORKING', at: at(1) }),
        ),
      ).toBeInstanceOf(ChannelNotFoundError);
      expect(
        (
          (await rejection(
            recordStatus.execute({ channelId: created.id, status: 'working!', at: at(1) }),
          )) as ValidationError
        ).field,
      ).toBe('status');
      expect(
        (
          (await rejection(
            recordStatus.execute({ channelId: created.id, status: 'WORKING', at: 'yesterday' }),
          )) as ValidationError
        ).field,
      ).toBe('at');
      expect(await outboxRowsFor(db, created.id)).toHaveLength(1);
    });
  });

  describe('tenant isolation', () => {
    it("never lets tenant B read, change, rotate or use tenant A's channel", async () => {
      const own = await newChannel(tenantA, { name: 'Only A', wahaApiKey: 'only-a-key-123' });
      plaintextSecrets.push('only-a-key-123');
      const { webhookSecret: _secret, ...view } = own;

      const attempts: Promise<unknown>[] = [
        get.execute({ tenantId: tenantB, id: own.id }),
        update.execute({ tenantId: tenantB, id: own.id, name: 'Hijacked' }),
        rotate.execute({ tenantId: tenantB, id: own.id }),
        wahaConnection.execute({ tenantId: tenantB, channelId: own.id }),
        sessionPolicy.execute({ tenantId: tenantB, channelId: own.id }),
      ];
      for (const attempt of attempts) expect(await rejection(attempt)).toBeInstanceOf(ChannelNotFoundError);

      await expect(get.execute({ tenantId: tenantA, id: own.id })).resolves.toEqual(view);
      await expect(resolveInbound.execute(own.id)).resolves.toMatchObject({
        tenantId: tenantA,
        webhookSecret: own.webhookSecret,
      });
      expect((await outboxRowsFor(db, own.id)).map((e) => e.type)).toEqual(['channel.created']);

      const pageB = await list.execute({ tenantId: tenantB, limit: 200 });
      expect(pageB.data.map((c) => c.id)).not.toContain(own.id);
    });
  });

  describe('list', () => {
    let tenant: string;
    const ids: string[] = [];

    beforeAll(async () => {
      tenant = (await createTenant(moduleRef, 'Paging tenant')).tenantId;
      for (let i = 0; i < 11; i += 1) ids.push((await newChannel(tenant)).id);
    });

    it('walks every channel exactly once, newest first, following nextCursor', async () => {
      const seen: ChannelView[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await list.execute({ tenantId: tenant, limit: 4, cursor });
        expect(page.data.length).toBeLessThanOrEqual(4);
        seen.push(...page.data);
        cursor = page.nextCursor ?? undefined;
        pages += 1;
      } while (cursor);

      expect(pages).toBe(3);
      expect(seen).toHaveLength(11);
      expect([...seen.map((c) => c.id)].sort()).toEqual([...ids].sort());
      // Channels created within one millisecond share createdAt: the id breaks the tie.
      const order = [...seen].sort(
        (a, b) => b.createdAt.localeCompare(a.createdAt) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
      );
      expect(seen.map((c) => c.id)).toEqual(order.map((c) => c.id));
      for (const channel of seen) expect(channel).not.toHaveProperty('webhookSecret');
      const defaultPage = await list.execute({ tenantId: tenant });
      expect(defaultPage.data).toHaveLength(11);
      expect(defaultPage.nextCursor).toBeNull();
    });

    it('rejects a bad cursor or limit with a ValidationError naming the field', async () => {
      expect(((await rejection(list.execute({ tenantId: tenant, cursor: 'garbage' }))) as ValidationError).field).toBe(
        'cursor',
      );
      const forged = Buffer.from(JSON.stringify([new Date().toISOString(), 'not-a-uuid'])).toString('base64url');
      expect(((await rejection(list.execute({ tenantId: tenant, cursor: forged }))) as ValidationError).field).toBe(
        'cursor',
      );
      for (const limit of [0, 201, 1.5]) {
        expect(((await rejection(list.execute({ tenantId: tenant, limit }))) as ValidationError).field).toBe('limit');
      }
    });
  });

  describe('events', () => {
    // Runs last: checks every channel event the tests above raised.
    it('never carry a secret, in plaintext or encrypted', async () => {
      const payloads: { payload: unknown }[] = await db.query(
        `SELECT payload FROM outbox_events WHERE aggregate_type = 'channel'`,
      );
      expect(payloads.length).toBeGreaterThan(20);
      expect(plaintextSecrets.length).toBeGreaterThan(20);
      const text = JSON.stringify(payloads);
      for (const secret of plaintextSecrets) expect(text).not.toContain(secret);
      expect(text).not.toMatch(/"v1\.[A-Za-z0-9_-]+\./);
    });
  });
});
