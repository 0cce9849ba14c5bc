import { once } from 'node:events';
import { type Server, type ServerResponse, createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import {
  ChannelModule,
  CreateChannelHandler,
  GetChannelHandler,
  RotateWebhookSecretHandler,
  UpdateChannelHandler,
  GetWahaConnectionHandler,
  ListChannelsHandler,
  WahaCircuitStateStore,
  WahaClient,
  WahaError,
} from '@app/channel';
import { createTenant, createTestContext, eventually } from '../../../../../test/support/nest';
import { ResilientWahaClient } from './resilient-waha.client';
import { ownerView } from '../../../../../test/support/database';

const HALF_OPEN_AFTER_MS = 500;

interface CircuitRow {
  channel_id: string;
  tenant_id: string;
  state: string;
  changed_at: Date;
  last_failure: string | null;
}

/** The breaker's transitions reach the table and the channel view (real PostgreSQL, a real HTTP
 *  server on 127.0.0.1 as the channel's WAHA, the ChannelModule as the apps wire it). */
describe('WAHA circuit state (real PostgreSQL)', () => {
  let moduleRef: TestingModule;
  let db: DataSource;
  let server: Server;
  let baseUrl: string;
  let reply: (res: ServerResponse) => void;
  let requests = 0;
  let waha: WahaClient;
  let tenantId: string;
  let otherTenantId: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests += 1;
      req.resume();
      req.on('end', () => reply(res));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    ({ moduleRef } = await createTestContext([ChannelModule], {
      WAHA_ALLOWED_CIDRS: '127.0.0.1/32',
      WAHA_READ_RETRY_ATTEMPTS: '1',
      WAHA_BREAKER_THRESHOLD: '2',
      WAHA_BREAKER_HALF_OPEN_AFTER_MS: String(HALF_OPEN_AFTER_MS),
    }));
    db = await ownerView(moduleRef.get(DataSource));
    waha = moduleRef.get(WahaClient);
    tenantId = (await createTenant(moduleRef, 'Circuit A')).tenantId;
    otherTenantId = (await createTenant(moduleRef, 'Circuit B')).tenantId;
  });

  afterAll(async () => {
    await moduleRef?.close();
    server?.closeAllConnections();
    server?.close();
  });

  const answer = (status: number, body: unknown) => (res: ServerResponse) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const rowOf = async (channelId: string): Promise<CircuitRow | undefined> =>
    ((await db.query(`SELECT * FROM waha_circuit_states WHERE channel_id = $1`, [channelId])) as CircuitRow[])[0];

  async function failure(work: Promise<unknown>): Promise<WahaError> {
    try {
      await work;
    } catch (error) {
      if (error instanceof WahaError) return error;
      throw error;
    }
    throw new Error('expected the call to fail');
  }

  it('records the open breaker and its closing, and GET and list show open, then closed', async () => {
    expect(waha).toBeInstanceOf(ResilientWahaClient);
    const created = await moduleRef
      .get(CreateChannelHandler)
      .execute({ tenantId, name: 'Circuit channel', wahaBaseUrl: baseUrl, wahaApiKey: 'key-1' });
    const get = moduleRef.get(GetChannelHandler);
    const list = moduleRef.get(ListChannelsHandler);
    expect(created.wahaCircuit).toEqual({ state: 'closed', changedAt: null, lastFailure: null });
    await expect(get.execute({ tenantId, id: created.id })).resolves.toMatchObject({
      wahaCircuit: { state: 'closed', changedAt: null, lastFailure: null },
    });

    const connection = await moduleRef.get(GetWahaConnectionHandler).execute({ tenantId, channelId: created.id });
    expect(connection).toMatchObject({ channelId: created.id, baseUrl, session: 'default', apiKey: 'key-1' });

    reply = answer(503, { statusCode: 503, message: 'Service Unavailable' });
    const before = Date.now();
    await failure(waha.getSession(connection));
    await failure(waha.getSession(connection));
    expect(await failure(waha.getSession(connection))).toMatchObject({ code: 'WAHA.CIRCUIT_OPEN' });
    expect(requests).toBe(2);

    const opened = await eventually(
      async () => {
        const view = await get.execute({ tenantId, id: created.id });
        return view.wahaCircuit.state === 'open' ? view : undefined;
      },
      10_000,
      'circuit shown open',
    );
    expect(opened.wahaCircuit.lastFailure).toContain('GET /api/sessions/{session} answered 503');
    expect(Date.parse(opened.wahaCircuit.changedAt!)).toBeGreaterThanOrEqual(before - 1000);
    const row = await rowOf(created.id);
    expect(row).toMatchObject({ tenant_id: tenantId, state: 'open' });
    const listed = await list.execute({ tenantId });
    expect(listed.data.find((c) => c.id === created.id)?.wahaCircuit).toEqual(opened.wahaCircuit);
    // An update or a secret rotation answers the channel with its breaker as recorded, too.
    await expect(
      moduleRef.get(UpdateChannelHandler).execute({ tenantId, id: created.id, name: 'Circuit channel (renamed)' }),
    ).resolves.toMatchObject({ wahaCircuit: opened.wahaCircuit });
    await expect(
      moduleRef.get(RotateWebhookSecretHandler).execute({ tenantId, id: created.id }),
    ).resolves.toMatchObject({ wahaCircuit: opened.wahaCircuit });

    await new Promise((resolve) => setTimeout(resolve, HALF_OPEN_AFTER_MS + 50));
    reply = answer(200, { name: 'default', status: 'WORKING' });
    await expect(waha.getSession(connection)).resolves.toEqual({ name: 'default', status: 'WORKING' });
    await (waha as ResilientWahaClient).settled();

    const closed = await get.execute({ tenantId, id: created.id });
    expect(closed.wahaCircuit.state).toBe('closed');
    expect(Date.parse(closed.wahaCircuit.changedAt!)).toBeGreaterThanOrEqual(Date.parse(opened.wahaCircuit.changedAt!));
    // The failure that opened it stays visible after it closed.
    expect(closed.wahaCircuit.lastFailure).toBe(opened.wahaCircuit.lastFailure);
    expect((await list.execute({ tenantId })).data.find((c) => c.id === created.id)?.wahaCircuit).toEqual(
      closed.wahaCircuit,
    );
  });

  it('keeps the later transition when an older one arrives late, and shows nothing across tenants', async () => {
    const store = moduleRef.get(WahaCircuitStateStore);
    const created = await moduleRef
      .get(CreateChannelHandler)
      .execute({ tenantId, name: 'Ordering channel', wahaBaseUrl: baseUrl });
    await store.record({
      channelId: created.id,
      state: 'open',
      changedAt: new Date('2026-01-01T10:00:02Z'),
      lastFailure: 'answered 500',
    });
    await store.record({
      channelId: created.id,
      state: 'half_open',
      changedAt: new Date('2026-01-01T10:00:01Z'),
      lastFailure: null,
    });
    expect(await rowOf(created.id)).toMatchObject({
      state: 'open',
      last_failure: 'answered 500',
      changed_at: new Date('2026-01-01T10:00:02Z'),
    });

    expect((await store.findByChannels(otherTenantId, [created.id])).size).toBe(0);
    expect((await store.findByChannels(tenantId, [created.id])).get(created.id)).toEqual({
      state: 'open',
      changedAt: new Date('2026-01-01T10:00:02Z'),
      lastFailure: 'answered 500',
    });

    // A fresh process's first success corrects a row left open; an already closed row is left as it is.
    await store.recordClosedIfNot(created.id, new Date('2026-01-01T10:05:00Z'));
    expect(await rowOf(created.id)).toMatchObject({
      state: 'closed',
      last_failure: 'answered 500',
      changed_at: new Date('2026-01-01T10:05:00Z'),
    });
    await store.recordClosedIfNot(created.id, new Date('2026-01-01T10:06:00Z'));
    expect((await rowOf(created.id))!.changed_at).toEqual(new Date('2026-01-01T10:05:00Z'));

    // No row for a channel that does not exist; the row goes with its channel.
    await store.record({
      channelId: '00000000-0000-4000-8000-000000000000',
      state: 'open',
      changedAt: new Date(),
      lastFailure: 'x',
    });
    expect(await rowOf('00000000-0000-4000-8000-000000000000')).toBeUndefined();
    await db.query(`DELETE FROM channels WHERE id = $1`, [created.id]);
    expect(await rowOf(created.id)).toBeUndefined();
  });
});
