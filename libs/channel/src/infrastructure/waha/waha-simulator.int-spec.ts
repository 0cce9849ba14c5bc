import { DnsHostResolver, parseCidrList } from '@app/shared';
import { createWahaSimulator, type WahaSimulator } from '../../../../../apps/waha-simulator/src/simulator';
import { WahaError } from '../../application/waha/waha-client.errors';
import {
  type WahaChat,
  type WahaConnection,
  type WahaListChatMessagesRequest,
} from '../../application/waha/waha-client.port';
import { WahaCircuitStateStore, type WahaCircuitStatus } from '../../application/waha/waha-circuit-state.port';
import { WahaAddressPolicy } from '../../domain/waha-address-policy';
import { HttpWahaClient } from './http-waha.client';
import { ResilientWahaClient } from './resilient-waha.client';

const CHATS = 5;
const MESSAGES_PER_CHAT = 12;
const HALF_OPEN_AFTER_MS = 300;

/** No database here: transitions are not recorded. */
class UnrecordedCircuits extends WahaCircuitStateStore {
  async record(): Promise<void> {}
  async recordClosedIfNot(): Promise<void> {}
  async findByChannels(): Promise<Map<string, WahaCircuitStatus>> {
    return new Map();
  }
}

/** The WAHA client against the real WAHA simulator (in-process, port 0, seeded data, fault injection). */
describe('WahaClient against the WAHA simulator', () => {
  let sim: WahaSimulator;
  let connection: WahaConnection;
  // The simulator listens on loopback, which only an allow-list lets a WAHA client reach.
  const http = new HttpWahaClient(
    { wahaHttpTimeoutMs: 10_000 },
    new WahaAddressPolicy(parseCidrList('127.0.0.1/32')),
    new DnsHostResolver(),
  );
  const client = new ResilientWahaClient(
    http,
    {
      wahaReadRetry: { attempts: 4, baseDelayMs: 50, maxDelayMs: 3_000, budgetMs: 8_000 },
      wahaChannelGuard: {
        breakerThreshold: 3,
        breakerHalfOpenAfterMs: HALF_OPEN_AFTER_MS,
        breakerHalfOpenMaxMs: 60_000,
        rateLimitPerSecond: 50,
        rateLimitMaxWaitMs: 5_000,
      },
    },
    new UnrecordedCircuits(),
  );

  const simCall = async (path: string, body: unknown) => {
    const res = await fetch(`${sim.url}${path}`, {
      method: 'POST',
      headers: { 'x-api-key': sim.settings.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`simulator ${path}: ${res.status} ${await res.text()}`);
  };

  beforeAll(async () => {
    sim = await createWahaSimulator({ port: 0, host: '127.0.0.1', logLevel: 'silent' });
    await simCall('/_sim/seed', { chats: CHATS, messagesPerChat: MESSAGES_PER_CHAT });
    connection = {
      baseUrl: sim.url,
      apiKey: sim.settings.apiKey,
      session: sim.settings.session,
      channelId: '5f0c1e2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b',
    };
  });

  afterAll(async () => {
    http.onModuleDestroy();
    await sim?.close();
  });

  afterEach(async () => {
    await simCall('/_sim/faults', {});
  });

  async function allChats(limit: number): Promise<WahaChat[]> {
    const chats: WahaChat[] = [];
    for (let offset = 0; ; offset += limit) {
      const page = await client.listChats({ ...connection, limit, offset });
      if (page.length === 0) return chats;
      chats.push(...page);
    }
  }

  /** Pages until an empty page, moving the offset by `limit` even after a short page (waha-api.md 2.4). */
  async function allMessages(
    request: Omit<WahaListChatMessagesRequest, 'offset' | keyof WahaConnection>,
  ): Promise<Record<string, unknown>[]> {
    const messages: Record<string, unknown>[] = [];
    for (let offset = 0; ; offset += request.limit) {
      const page = await client.listChatMessages({ ...connection, ...request, offset });
      if (page.length === 0) return messages;
      messages.push(...page);
    }
  }

  it('lists every chat page by page, newest conversation first, with names and timestamps', async () => {
    const chats = await allChats(2);
    expect(chats).toHaveLength(CHATS);
    expect(new Set(chats.map((c) => c.id)).size).toBe(CHATS);
    // The seed's chat 1 holds the newest messages.
    expect(chats.map((c) => c.id)).toEqual(
      Array.from({ length: CHATS }, (_, i) => `55219${String(i + 1).padStart(8, '0')}@c.us`),
    );
    expect(chats.map((c) => c.name)).toEqual(Array.from({ length: CHATS }, (_, i) => `Contato Seed ${i + 1}`));
    const times = chats.map((c) => c.conversationTimestamp!);
    expect(times).toEqual([...times].sort((a, b) => b - a));

    const oldestFirst = await client.listChats({ ...connection, limit: CHATS, offset: 0, sortOrder: 'asc' });
    expect(oldestFirst.map((c) => c.id)).toEqual([...chats].reverse().map((c) => c.id));
  });

  it("pages a chat's messages in both orders and narrows them with the timestamp filters", async () => {
    const chatId = '5521900000003@c.us';
    const ascending = await allMessages({ chatId, limit: 5, sortOrder: 'asc' });
    expect(ascending).toHaveLength(MESSAGES_PER_CHAT);
    expect(new Set(ascending.map((m) => m.id)).size).toBe(MESSAGES_PER_CHAT);
    const times = ascending.map((m) => m.timestamp as number);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // downloadMedia=false: the seeded images come without a downloaded file.
    for (const message of ascending)
      expect((message.media as { url?: unknown } | null | undefined)?.url ?? null).toBeNull();

    const newestFirst = await client.listChatMessages({
      ...connection,
      chatId,
      limit: 3,
      offset: 0,
      sortOrder: 'desc',
    });
    expect(newestFirst.map((m) => m.id)).toEqual(
      ascending
        .slice(-3)
        .reverse()
        .map((m) => m.id),
    );

    const gte = times[3]!;
    const lte = times[8]!;
    const window = await allMessages({ chatId, limit: 4, sortOrder: 'asc', timestampGte: gte, timestampLte: lte });
    expect(window.map((m) => m.id)).toEqual(ascending.slice(3, 9).map((m) => m.id));
  });

  it("waits out the simulator's 429 with Retry-After and answers the page", async () => {
    await simCall('/_sim/faults', {
      status429Rate: 1,
      retryAfterSeconds: 1,
      onlyPaths: [`/api/${connection.session}/chats`],
    });
    const started = Date.now();
    const page = client.listChats({ ...connection, limit: 2, offset: 0 });
    // The first attempt is answered 429 at once; the retry comes a second later, after the fault is gone.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await simCall('/_sim/faults', {});
    await expect(page).resolves.toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it("opens the channel's breaker while the simulator fails, fails fast, and closes once it answers again", async () => {
    await simCall('/_sim/faults', { errorRate: 1, onlyPaths: [`/api/${connection.session}/chats`] });
    let error: unknown;
    try {
      await client.listChatMessages({
        ...connection,
        chatId: '5521900000001@c.us',
        limit: 5,
        offset: 0,
        sortOrder: 'asc',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(WahaError);
    expect(error).toMatchObject({ code: 'WAHA.CIRCUIT_OPEN' });
    expect((error as WahaError).message).toContain('answered 500');

    await simCall('/_sim/faults', {});
    await expect(client.listChats({ ...connection, limit: 1, offset: 0 })).rejects.toMatchObject({
      code: 'WAHA.CIRCUIT_OPEN',
    });
    await new Promise((resolve) => setTimeout(resolve, HALF_OPEN_AFTER_MS + 50));
    await expect(client.listChats({ ...connection, limit: 1, offset: 0 })).resolves.toHaveLength(1);
  });
});
