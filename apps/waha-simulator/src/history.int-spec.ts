import { createWahaSimulator, type WahaSimulator } from './simulator';
import { SimClient } from './testing/sim-client';
import { keyPaths, loadFixture } from './testing/shape';
import type { ChatTruth, HistoryDataSetSummary, HistoryTruth } from './waha/history-dataset';
import { SAMPLE_OGG, SAMPLE_PDF } from './waha/media';
import type { RequestStatsView } from './waha/request-stats';
import { SEED_ANCHOR_SECONDS } from './waha/seed';
import type { GowsChat, WAMessage } from './waha/types';

const enc = encodeURIComponent;
const PAGES = '/api/default/chats/*/messages$';

describe('WAHA simulator history data sets and deterministic faults (real HTTP on 127.0.0.1)', () => {
  let sim: WahaSimulator;
  let api: SimClient;

  beforeAll(async () => {
    sim = await createWahaSimulator({ port: 0, logLevel: 'silent' });
    api = new SimClient(sim.url);
  });

  afterAll(async () => {
    await sim?.close();
  });

  afterEach(async () => {
    await api.post('/_sim/reset');
  });

  const load = async (body: Record<string, unknown>) => {
    const res = await api.post<HistoryDataSetSummary>('/_sim/history-dataset', body);
    expect(res.status).toBe(201);
    return res.body;
  };
  const truth = async (query = '') => (await api.get<HistoryTruth>(`/_sim/history-dataset/truth${query}`)).body;
  const messagesPath = (chatId: string, query: string) => `/api/default/chats/${enc(chatId)}/messages?${query}`;
  const page = async (chatId: string, query: string) => {
    const res = await api.get<WAMessage[]>(messagesPath(chatId, query));
    expect(res.status).toBe(200);
    return res.body;
  };
  /** Offset paging as WAHA's docs say: offset += limit until an empty page. */
  const pageThrough = async (chatId: string, limit: number, extra = 'downloadMedia=false') => {
    const pages: WAMessage[][] = [];
    for (let offset = 0; ; offset += limit) {
      const body = await page(chatId, `limit=${limit}&offset=${offset}&${extra}`);
      if (body.length === 0) return pages;
      pages.push(body);
    }
  };

  describe('data set', () => {
    it('replaces the store, answers a summary and serves exactly the ground truth', async () => {
      await api.post('/_sim/inbound', { from: '5511999990001', text: 'before' });
      const summary = await load({ chats: 12, messagesPerChat: 120, seed: 7 });
      expect(summary).toMatchObject({
        seed: 7,
        anchorSeconds: SEED_ANCHOR_SECONDS,
        chats: 12,
        groups: 1,
        distinctMessages: 1440,
        storedItems: 1444,
      });
      expect(summary.newestTimestamp!).toBeLessThan(SEED_ANCHOR_SECONDS);
      expect((await api.get('/_sim/history-dataset')).body).toEqual(summary);

      const t = await truth();
      expect(t.summary).toEqual(summary);
      const listed = (
        await api.get<GowsChat[]>('/api/default/chats?sortBy=conversationTimestamp&sortOrder=desc&limit=100')
      ).body;
      expect(listed.map((c) => c.id)).toEqual(t.chats.map((c) => c.chatId));
      expect(listed.map((c) => c.conversationTimestamp)).toEqual(t.chats.map((c) => c.newestTimestamp));
      expect(listed.map((c) => c.name)).toEqual(t.chats.map((c) => c.name));

      let served = 0;
      for (const chat of t.chats) {
        const items = (await pageThrough(chat.chatId, 50)).flat();
        served += items.length;
        expect(items).toHaveLength(chat.storedItems);
        const distinct = [...new Map(items.map((m) => [m.id, m])).values()];
        expect(distinct.map((m) => [m.id, m.timestamp, m.fromMe])).toEqual(
          chat.messages.map((m) => [m.id, m.timestamp, m.fromMe]),
        );
      }
      expect(served).toBe(summary.storedItems);
    });

    it('answers 404 for the truth when no data set is loaded, and 400 for a data set too big', async () => {
      expect((await api.get('/_sim/history-dataset/truth')).status).toBe(404);
      expect((await api.get('/_sim/history-dataset')).status).toBe(404);
      expect((await api.post('/_sim/history-dataset', { chats: 100_000, messagesPerChat: 11 })).status).toBe(400);
      expect((await api.post('/_sim/history-dataset', { chats: 1 })).status).toBe(400);
      expect(
        (await api.post('/_sim/history-dataset', { chats: 20, messagesPerChat: 50, anchorSeconds: 1000 })).status,
      ).toBe(400);
      // The seed defaults to 1.
      expect((await load({ chats: 2, messagesPerChat: 3 })).seed).toBe(1);
    });

    it('narrows the truth to a chat or a contact, with or without the message lists', async () => {
      await load({ chats: 20, messagesPerChat: 30, seed: 3 });
      const all = await truth();
      const shared = all.contacts.find((c) => c.chatIds.length >= 2)!;
      const byPhone = await truth(`?phone=${shared.phone}`);
      expect(byPhone.contacts).toEqual([shared]);
      expect(byPhone.chats.map((c) => c.chatId).sort()).toEqual([...shared.chatIds].sort());
      const group = all.chats.find((c) => c.kind === 'group')!;
      const byChat = await truth(`?chatId=${enc(group.chatId)}`);
      expect(byChat.chats).toEqual([group]);
      expect(byChat.contacts.every((c) => c.chatIds.includes(group.chatId))).toBe(true);
      const counts = await truth('?messages=false');
      expect(counts.chats.every((c) => c.messages.length === 0)).toBe(true);
      expect(counts.chats.map((c) => c.distinctMessages)).toEqual(all.chats.map((c) => c.distinctMessages));
      expect((await api.get('/_sim/history-dataset/truth?phone=abc')).status).toBe(400);
    });

    it('serves twins twice on different pages, equal seconds across page boundaries, and the same list reversed for asc', async () => {
      await load({ chats: 3, messagesPerChat: 200, seed: 9 });
      const t = await truth();
      const twinChat = t.chats[2];
      expect(twinChat.twinIds).toHaveLength(2);
      for (const limit of [50, 100]) {
        const pages = await pageThrough(twinChat.chatId, limit);
        for (const id of twinChat.twinIds) {
          const where = pages.flatMap((p, i) => p.filter((m) => m.id === id).map(() => i));
          expect(where).toHaveLength(2);
          expect(where[0]).not.toBe(where[1]);
        }
      }
      for (const chat of t.chats) {
        for (const limit of [50, 100]) {
          const pages = await pageThrough(chat.chatId, limit);
          for (let i = 1; i < pages.length; i++)
            expect(pages[i][0].timestamp).toBe(pages[i - 1][pages[i - 1].length - 1].timestamp);
        }
        const desc = await page(chat.chatId, 'limit=300&downloadMedia=false');
        const asc = await page(chat.chatId, 'limit=300&sortOrder=asc&downloadMedia=false');
        expect(asc.map((m) => m.id)).toEqual(desc.map((m) => m.id).reverse());
        expect(await page(chat.chatId, 'limit=300&sortOrder=whatever&downloadMedia=false')).toEqual(desc);
      }
    });

    it('filters by inclusive timestamp bounds that keep a whole boundary second', async () => {
      await load({ chats: 1, messagesPerChat: 120, seed: 4 });
      const [chat] = (await truth()).chats;
      const all = await page(chat.chatId, 'limit=500&downloadMedia=false');
      const boundary = all[50].timestamp;
      const sameSecond = all.filter((m) => m.timestamp === boundary).map((m) => m.id);
      expect(sameSecond.length).toBeGreaterThanOrEqual(2);
      const upTo = await page(chat.chatId, `limit=500&filter.timestamp.lte=${boundary}&downloadMedia=false`);
      expect(upTo.map((m) => m.id)).toEqual(all.filter((m) => m.timestamp <= boundary).map((m) => m.id));
      expect(upTo.slice(0, sameSecond.length).map((m) => m.id)).toEqual(sameSecond);
      const from = await page(
        chat.chatId,
        `limit=500&filter.timestamp.gte=${boundary}&filter.timestamp.lte=${boundary}&downloadMedia=false`,
      );
      expect(from.map((m) => m.id)).toEqual(sameSecond);
      const keyset = await page(chat.chatId, `limit=10&offset=1&filter.timestamp.lte=${boundary}&downloadMedia=false`);
      expect(keyset.map((m) => m.id)).toEqual(upTo.slice(1, 11).map((m) => m.id));
    });

    it('spells groups, @lid chats and bare-id chats like GOWS, and accepts chat ids percent-encoded', async () => {
      await load({ chats: 24, messagesPerChat: 20, seed: 2 });
      const t = await truth();
      const byKind = (predicate: (c: ChatTruth) => boolean) => t.chats.find(predicate)!;

      const oldStyleGroup = byKind((c) => c.kind === 'group' && c.chatId.includes('-'));
      for (const path of [
        `/api/default/chats/${oldStyleGroup.chatId}/messages?limit=5`,
        messagesPath(oldStyleGroup.chatId, 'limit=5'),
      ]) {
        const res = await api.get<WAMessage[]>(path);
        expect(res.body.map((m) => m.id)).toEqual(oldStyleGroup.messages.slice(0, 5).map((m) => m.id));
        expect(
          res.body.every(
            (m) =>
              !m.fromMe && m.from === oldStyleGroup.chatId && m.participant === m.to && /@c\.us$/.test(m.participant!),
          ),
        ).toBe(true);
      }

      const lid = byKind((c) => c.kind === 'lid');
      const lidMessages = await page(lid.chatId, 'limit=100&downloadMedia=false');
      const phoneJid = `${lid.phone}@s.whatsapp.net`;
      expect(lidMessages.filter((m) => !m.fromMe).every((m) => m._data.Info.SenderAlt === phoneJid)).toBe(true);
      expect(lidMessages.filter((m) => m.fromMe).every((m) => m._data.Info.RecipientAlt === phoneJid)).toBe(true);

      const bare = byKind((c) => c.idShape === 'bare');
      const bareMessages = await page(bare.chatId, 'limit=100&downloadMedia=false');
      expect(bareMessages.every((m) => /^[0-9A-F]+$/.test(m.id) && m.from === `${bare.phone}@s.whatsapp.net`)).toBe(
        true,
      );
      const one = await api.get<WAMessage>(
        `/api/default/chats/${enc(bare.chatId)}/messages/${enc(bare.messages[0].fullId)}`,
      );
      expect(one.body.id).toBe(bare.messages[0].rawId);

      const direct = byKind((c) => c.kind === 'direct' && c.idShape === 'prefixed');
      const directMessages = await page(direct.chatId, 'limit=100');
      const plainText = directMessages.find((m) => !m.fromMe && !m.hasMedia)!;
      expect(keyPaths(plainText)).toEqual(keyPaths(loadFixture<unknown[]>('chat-messages-page.json')[0]));
      expect(plainText).toMatchObject({
        from: direct.chatId,
        to: null,
        participant: null,
        source: 'app',
        ack: 2,
        ackName: 'DEVICE',
      });
      expect((await page(direct.chatId, 'limit=3')).map((m) => m.id)).toEqual(
        direct.messages.slice(0, 3).map((m) => m.id),
      );
      expect((await page(direct.phone!, 'limit=3')).map((m) => m.id)).toEqual(
        direct.messages.slice(0, 3).map((m) => m.id),
      );
      expect((await page(direct.chatId, 'limit=100&filter.fromMe=true')).every((m) => m.fromMe)).toBe(true);
      const sources = new Set(t.chats.flatMap((c) => c.messages.filter((m) => m.fromMe).map((m) => m.source)));
      expect(sources).toEqual(new Set(['api', 'app']));
    });

    it('renders every media kind: media null without downloadMedia, a working URL (and a document file name) with it', async () => {
      await load({ chats: 3, messagesPerChat: 20, seed: 6 });
      const t = await truth();
      const kinds = new Map<string, { chatId: string; id: string }>();
      for (const chat of t.chats)
        for (const m of chat.messages)
          if (m.media && !kinds.has(m.media.kind)) kinds.set(m.media.kind, { chatId: chat.chatId, id: m.id });
      expect([...kinds.keys()].sort()).toEqual(['audio', 'document', 'image', 'video']);

      const get = async (kind: string, download: boolean) => {
        const { chatId, id } = kinds.get(kind)!;
        return (await page(chatId, `limit=100&downloadMedia=${download}`)).find((m) => m.id === id)!;
      };
      for (const kind of kinds.keys()) {
        const without = await get(kind, false);
        expect(without.hasMedia).toBe(true);
        expect(without.media).toBeNull();
      }
      const doc = await get('document', true);
      expect(doc.media).toEqual({
        url: expect.stringMatching(/\/api\/files\/default\/[0-9A-F]+\.pdf$/),
        mimetype: 'application/pdf',
        filename: expect.stringMatching(/\.pdf$/),
        error: null,
      });
      const file = await fetch(doc.media!.url!, { headers: { 'X-Api-Key': 'sim-api-key' } });
      expect(Buffer.from(await file.arrayBuffer()).equals(SAMPLE_PDF)).toBe(true);
      const audio = await get('audio', true);
      expect(audio.media).toMatchObject({
        mimetype: 'audio/ogg; codecs=opus',
        filename: null,
        url: expect.stringMatching(/\.oga$/),
      });
      expect(audio._data.Message.audioMessage).toMatchObject({ PTT: true });
      const voice = await fetch(audio.media!.url!, { headers: { 'X-Api-Key': 'sim-api-key' } });
      expect(voice.headers.get('content-type')).toMatch(/^audio\/ogg/);
      expect(Buffer.from(await voice.arrayBuffer()).equals(SAMPLE_OGG)).toBe(true);
      expect((await get('video', true)).media).toMatchObject({
        mimetype: 'video/mp4',
        url: expect.stringMatching(/\.mp4$/),
      });
    });

    it('makes the newest chat recent on request, and lists chats by id (code points) when unsorted', async () => {
      const recentAnchorSeconds = Math.floor(Date.now() / 1000) - 60;
      await load({ chats: 5, messagesPerChat: 10, seed: 1, recentAnchorSeconds });
      const t = await truth();
      expect(t.chats[0].newestTimestamp!).toBeGreaterThanOrEqual(recentAnchorSeconds - 31);
      expect(t.chats[0].newestTimestamp!).toBeLessThan(recentAnchorSeconds);
      expect(t.chats[1].newestTimestamp!).toBeLessThan(SEED_ANCHOR_SECONDS);
      const byId = (await api.get<GowsChat[]>('/api/default/chats')).body.map((c) => c.id);
      expect(byId).toEqual(t.chats.map((c) => c.chatId).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    });

    it('loads 500 chats x 200 messages in under 2 s and serves a 200-message page of it', async () => {
      // CPU time of this process (the simulator runs in it): other jobs share the machine's two cores, so
      // wall time would measure their load too (about 0.5 s of CPU here, 0.6 s of wall time on a quiet machine).
      const before = process.cpuUsage();
      const summary = await load({ chats: 500, messagesPerChat: 200, seed: 1 });
      const used = process.cpuUsage(before);
      expect(summary).toMatchObject({ chats: 500, distinctMessages: 100_000, storedItems: 100_200 });
      expect((used.user + used.system) / 1000).toBeLessThan(2000);
      const [chat] = (await truth('?messages=false')).chats;
      const body = await page(chat.chatId, 'limit=200&offset=0&downloadMedia=false');
      expect(body).toHaveLength(200);
      expect(
        (await api.get<WAMessage[]>('/api/default/chats/all/messages?limit=100&downloadMedia=false')).body,
      ).toHaveLength(100);
    });
  });

  describe('deterministic faults and request counters', () => {
    const stats = async (query = '') => (await api.get<RequestStatsView>(`/_sim/requests${query}`)).body;

    it('fails exactly the next N history pages with a proxy 503 page, then recovers; other paths are untouched', async () => {
      await load({ chats: 2, messagesPerChat: 30, seed: 1 });
      const [chat] = (await truth('?messages=false')).chats;
      const faults = await api.post<{ failNext: unknown }>('/_sim/faults', {
        failNext: { count: 3, status: 503, onlyPaths: [PAGES] },
      });
      expect(faults.body.failNext).toEqual({
        count: 3,
        remaining: 3,
        status: 503,
        retryAfterSeconds: null,
        onlyPaths: [PAGES],
      });

      expect((await api.get('/api/default/chats')).status).toBe(200);
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await api.get(messagesPath(chat.chatId, 'limit=10'));
        statuses.push(res.status);
        if (res.status === 503) {
          expect(res.headers.get('content-type')).toMatch(/^text\/html/);
          expect(res.text).toContain('503 Service Temporarily Unavailable');
          expect(res.headers.get('retry-after')).toBeNull();
        }
      }
      expect(statuses).toEqual([503, 503, 503, 200, 200]);
      expect((await api.get<{ failNext: { remaining: number } }>('/_sim/faults')).body.failNext.remaining).toBe(0);

      const pages = await stats('?kind=chat-messages');
      expect(pages).toMatchObject({ total: 5, served: 2, failed: 3, injected: 3, byStatus: { 200: 2, 503: 3 } });
      expect(await stats(`?path=${enc(PAGES)}`)).toMatchObject({ total: 5, failed: 3 });
      expect((await stats()).byKind.chats).toMatchObject({ total: 1, served: 1 });
      expect((await api.request('DELETE', '/_sim/requests')).status).toBe(200);
      expect((await stats()).total).toBe(0);
    });

    it('answers 429 with Retry-After, 502 with a proxy page and 500 with the engine body for failNext', async () => {
      await load({ chats: 1, messagesPerChat: 5, seed: 1 });
      const [chat] = (await truth('?messages=false')).chats;
      const path = messagesPath(chat.chatId, 'limit=5');

      await api.post('/_sim/faults', { retryAfterSeconds: 4, failNext: { count: 1, status: 429 } });
      const throttled = await api.get(path);
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get('retry-after')).toBe('4');
      expect(throttled.body).toMatchObject({ statusCode: 429 });
      expect((await api.get(path)).status).toBe(200);

      await api.post('/_sim/faults', { failNext: { count: 1, status: 429, retryAfterSeconds: 9 } });
      expect((await api.get(path)).headers.get('retry-after')).toBe('9');

      await api.post('/_sim/faults', { failNext: { count: 1, status: 502 } });
      const badGateway = await api.get(path);
      expect(badGateway.status).toBe(502);
      expect(badGateway.text).toContain('<center>nginx</center>');

      await api.post('/_sim/faults', { failNext: { count: 1, status: 503, retryAfterSeconds: 2 } });
      expect((await api.get(path)).headers.get('retry-after')).toBe('2');

      await api.post('/_sim/faults', { failNext: { count: 1, status: 500 } });
      const engine = await api.get(path);
      expect(engine.status).toBe(500);
      expect(engine.body).toMatchObject({ statusCode: 500, exception: { code: 2 } });

      // onlyPaths of failNext default to the top-level ones.
      await api.post('/_sim/faults', { onlyPaths: ['/api/sendText'], failNext: { count: 1, status: 500 } });
      expect((await api.get(path)).status).toBe(200);
      expect((await api.post('/api/sendText', { session: 'default', chatId: chat.chatId, text: 'x' })).status).toBe(
        500,
      );

      expect((await api.post('/_sim/faults', { failNext: { count: 0, status: 500 } })).status).toBe(400);
      expect((await api.post('/_sim/faults', { failNext: { count: 1, status: 418 } })).status).toBe(400);
      expect((await stats('?kind=chat-messages')).injected).toBe(5);
      expect((await stats('?kind=send-text')).injected).toBe(1);
    });

    it('delays only the matching pages, chat id percent-encoded or not', async () => {
      await load({ chats: 1, messagesPerChat: 5, seed: 1 });
      const [chat] = (await truth('?messages=false')).chats;
      await api.post('/_sim/faults', { latencyMs: 500, onlyPaths: [`/api/default/chats/${chat.chatId}/messages$`] });
      for (const path of [messagesPath(chat.chatId, 'limit=5'), `/api/default/chats/${chat.chatId}/messages?limit=5`]) {
        const started = Date.now();
        expect((await api.get(path)).status).toBe(200);
        expect(Date.now() - started).toBeGreaterThanOrEqual(490);
      }
      const started = Date.now();
      expect((await api.get('/api/default/chats')).status).toBe(200);
      expect(Date.now() - started).toBeLessThan(490);
    });

    it('forgets counters and the remaining budget on reset', async () => {
      await api.post('/_sim/faults', { failNext: { count: 5, status: 503 } });
      expect((await api.get('/api/default/chats')).status).toBe(503);
      expect((await stats()).failed).toBe(1);
      await api.post('/_sim/reset');
      expect((await api.get('/api/default/chats')).status).toBe(200);
      expect(await stats()).toMatchObject({ total: 1, failed: 0 });
    });
  });
});

describe('WAHA simulator configured with the history profile', () => {
  it('loads the history data set at start and again on reset, the newest chat a minute old', async () => {
    const sim = await createWahaSimulator({
      port: 0,
      logLevel: 'silent',
      seed: { chats: 6, messagesPerChat: 12 },
      seedProfile: 'history',
      seedNumber: 5,
      seedRecentChats: 1,
    });
    try {
      const api = new SimClient(sim.url);
      const first = (await api.get<HistoryTruth>('/_sim/history-dataset/truth')).body;
      expect(first.summary).toMatchObject({ seed: 5, chats: 6, distinctMessages: 72 });
      const now = Math.floor(Date.now() / 1000);
      expect(first.chats[0].newestTimestamp!).toBeGreaterThan(now - 60 - 40);
      expect(first.chats[0].newestTimestamp!).toBeLessThan(now - 59);
      await api.post('/_sim/history-dataset', { chats: 1, messagesPerChat: 1, seed: 2 });
      await api.post('/_sim/reset');
      const again = (await api.get<HistoryTruth>('/_sim/history-dataset/truth')).body;
      expect(again.summary).toMatchObject({ seed: 5, chats: 6, distinctMessages: 72 });
      expect(again.chats.slice(1)).toEqual(first.chats.slice(1));
    } finally {
      await sim.close();
    }
  });
});
