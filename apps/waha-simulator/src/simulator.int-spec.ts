import { createWahaSimulator, type WahaSimulator } from './simulator';
import { SimClient } from './testing/sim-client';
import { keyPaths, loadFixture } from './testing/shape';
import { SAMPLE_JPEG } from './waha/media';
import { SEED_ANCHOR_SECONDS, SEED_STEP_SECONDS } from './waha/seed';
import type { ChatSummary, GowsChat, SessionInfo, WAMessage } from './waha/types';

const ANA = '5521900000001@c.us';
const enc = encodeURIComponent;

describe('WAHA simulator REST API (real HTTP on 127.0.0.1)', () => {
  let sim: WahaSimulator;
  let api: SimClient;

  beforeAll(async () => {
    sim = await createWahaSimulator({
      port: 0,
      logLevel: 'silent',
      seed: { chats: 3, messagesPerChat: 12 },
      ackDelayMs: 20,
    });
    api = new SimClient(sim.url);
  });

  afterAll(async () => {
    await sim?.close();
  });

  afterEach(async () => {
    await api.post('/_sim/reset');
  });

  describe('auth', () => {
    it('answers 401 with the WAHA body without or with a wrong key, header or query', async () => {
      for (const path of ['/api/sessions', '/api/default/chats', '/_sim/sent', '/api/files/default/x.jpeg']) {
        const res = await fetch(`${sim.url}${path}`);
        expect(res.status).toBe(401);
        expect(await res.json()).toEqual({ message: 'Unauthorized', statusCode: 401 });
      }
      expect((await api.get('/api/sessions', { 'X-Api-Key': 'wrong' })).status).toBe(401);
      expect((await fetch(`${sim.url}/api/sessions?x-api-key=sim-api-key`)).status).toBe(200);
      expect((await fetch(`${sim.url}/api/sessions?x-api-key=nope`)).status).toBe(401);
    });

    it('leaves /ping and /health open', async () => {
      const ping = await fetch(`${sim.url}/ping`);
      expect(ping.status).toBe(200);
      expect(await ping.json()).toEqual({ message: 'pong' });
      expect((await fetch(`${sim.url}/health`)).status).toBe(200);
    });
  });

  describe('sessions', () => {
    it('lists the session without and gets it with the engine block, shaped like the fixture', async () => {
      const list = await api.get<SessionInfo[]>('/api/sessions');
      expect(list.status).toBe(200);
      expect(list.body).toHaveLength(1);
      expect(list.body[0]).not.toHaveProperty('engine');
      const one = await api.get<SessionInfo>('/api/sessions/default');
      expect(one.status).toBe(200);
      expect(one.body).toMatchObject({
        name: 'default',
        status: 'WORKING',
        engine: { engine: 'GOWS' },
        me: { id: '5511999990000@c.us', jid: '5511999990000:12@s.whatsapp.net' },
        presence: null,
      });
      expect(one.body.me!.lid).toMatch(/^[0-9]{15}@lid$/);
      expect(typeof one.body.timestamps.activity).toBe('number');
      const fixtureKeys = keyPaths(loadFixture('session-info.json')).filter(
        (k) => !k.startsWith('config.webhooks') && !k.startsWith('config.metadata.'),
      );
      expect(keyPaths(one.body).filter((k) => !k.startsWith('config.webhooks'))).toEqual(fixtureKeys);
      const me = await api.get('/api/sessions/default/me');
      expect(me.body).toEqual(one.body.me);
    });

    it('shows the configured webhook in the session config', async () => {
      await api.post('/_sim/webhook', {
        url: 'http://127.0.0.1:9/hook',
        hmacKey: 'k',
        events: ['message'],
        retries: 2,
        retryDelayMs: 500,
      });
      const one = await api.get<SessionInfo>('/api/sessions/default');
      expect(one.body.config.webhooks).toEqual([
        {
          url: 'http://127.0.0.1:9/hook',
          events: ['message'],
          hmac: { key: 'k' },
          retries: { policy: 'constant', delaySeconds: 0.5, attempts: 2 },
          customHeaders: null,
        },
      ]);
    });

    it('answers 404 with the WAHA body for an unknown session everywhere', async () => {
      const body = {
        statusCode: 404,
        message:
          "We didn't find a session with name 'nope'.\nPlease start it first by using POST /api/sessions/nope/start request",
        error: 'Not Found',
      };
      for (const res of [
        await api.get('/api/sessions/nope'),
        await api.get('/api/sessions/nope/me'),
        await api.get('/api/nope/chats'),
        await api.get('/api/nope/chats/overview'),
        await api.get(`/api/nope/chats/${enc(ANA)}/messages?limit=1`),
        await api.post('/api/sendText', { session: 'nope', chatId: ANA, text: 'hi' }),
      ]) {
        expect(res.status).toBe(404);
        expect(res.body).toEqual(body);
      }
    });

    it('answers 422 with the WAHA body while forced to STARTING or FAILED', async () => {
      for (const status of ['STARTING', 'FAILED'] as const) {
        expect((await api.post('/_sim/session-status', { status })).status).toBe(201);
        const expected = {
          error: 'Session status is not as expected. Try again later or restart the session',
          session: 'default',
          status,
          expected: ['WORKING'],
        };
        for (const res of [
          await api.get('/api/default/chats'),
          await api.get('/api/default/chats/overview'),
          await api.get(`/api/default/chats/${enc(ANA)}/messages?limit=5`),
          await api.post('/api/sendText', { session: 'default', chatId: ANA, text: 'hi' }),
        ]) {
          expect(res.status).toBe(422);
          expect(res.body).toEqual(expected);
        }
        const info = await api.get<SessionInfo>('/api/sessions/default');
        expect(info.body.status).toBe(status);
        expect(info.body.me).toBeNull();
        const me = await api.get('/api/sessions/default/me');
        expect(me.status).toBe(200);
        expect(me.text).toBe('');
      }
      await api.post('/_sim/session-status', { status: 'WORKING' });
      expect((await api.get('/api/default/chats')).status).toBe(200);
      expect((await api.post('/_sim/session-status', { status: 'BROKEN' })).status).toBe(400);
    });

    it('hides a STOPPED session from the list unless all=true', async () => {
      await api.post('/_sim/session-status', { status: 'STOPPED' });
      expect((await api.get('/api/sessions')).body).toEqual([]);
      expect((await api.get<SessionInfo[]>('/api/sessions?all=true')).body[0].status).toBe('STOPPED');
    });
  });

  describe('chats', () => {
    it('lists {id,name,conversationTimestamp} by id ascending by default (GOWS)', async () => {
      const res = await api.get<GowsChat[]>('/api/default/chats');
      expect(res.status).toBe(200);
      expect(res.body.map((c) => c.id)).toEqual(['5521900000001@c.us', '5521900000002@c.us', '5521900000003@c.us']);
      expect(res.body[0]).toEqual({ id: ANA, name: 'Contato Seed 1', conversationTimestamp: SEED_ANCHOR_SECONDS });
      expect(keyPaths(res.body[0])).toEqual(keyPaths(loadFixture<unknown[]>('chats-list.json')[0]));
    });

    it('sorts and pages as asked, and rejects an unknown sort field', async () => {
      const desc = await api.get<GowsChat[]>(
        '/api/default/chats?sortBy=conversationTimestamp&sortOrder=desc&limit=2&offset=0',
      );
      expect(desc.body.map((c) => c.id)).toEqual(['5521900000001@c.us', '5521900000002@c.us']);
      const asc = await api.get<GowsChat[]>(
        '/api/default/chats?sortBy=conversationTimestamp&sortOrder=asc&limit=2&offset=2',
      );
      expect(asc.body.map((c) => c.id)).toEqual(['5521900000001@c.us']);
      const byName = await api.get<GowsChat[]>('/api/default/chats?sortBy=name&sortOrder=desc');
      expect(byName.body[0].name).toBe('Contato Seed 3');
      const bad = await api.get<{ statusCode: number; message: string[]; error: string }>(
        '/api/default/chats?sortBy=messageTimestamp',
      );
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(bad.body.message.join()).toMatch(/sortBy/);
    });

    it('gives the overview newest first, limit 20 by default, filtered by ids, without media', async () => {
      await api.post('/_sim/inbound', { from: '5511999990001', text: 'agora', pushName: 'Ana Souza' });
      const res = await api.get<ChatSummary[]>('/api/default/chats/overview');
      expect(res.status).toBe(200);
      expect(res.body.map((c) => c.id)).toEqual([
        '5511999990001@c.us',
        '5521900000001@c.us',
        '5521900000002@c.us',
        '5521900000003@c.us',
      ]);
      expect(res.body[0].lastMessage!.body).toBe('agora');
      expect(keyPaths(res.body[0])).toEqual(keyPaths(loadFixture<unknown[]>('chats-overview.json')[0]));
      expect(res.body[0]).toHaveProperty('picture', null);
      expect(res.body[1]._chat).toEqual({
        id: ANA,
        name: 'Contato Seed 1',
        conversationTimestamp: SEED_ANCHOR_SECONDS,
      });

      const filtered = await api.get<ChatSummary[]>(
        '/api/default/chats/overview?ids=5521900000003&ids=5521900000002@c.us&limit=1&offset=1',
      );
      expect(filtered.body.map((c) => c.id)).toEqual(['5521900000003@c.us']);
      const posted = await api.post<ChatSummary[]>('/api/default/chats/overview', {
        pagination: { limit: 2 },
        filter: { ids: ['5521900000003@c.us'] },
      });
      expect(posted.status).toBe(201);
      expect(posted.body.map((c) => c.id)).toEqual(['5521900000003@c.us']);

      await api.post('/_sim/seed', { chats: 30, messagesPerChat: 1 });
      expect((await api.get<ChatSummary[]>('/api/default/chats/overview')).body).toHaveLength(20);
      const imageChat = await api.get<ChatSummary[]>('/api/default/chats/overview?ids=5521900000001');
      expect(imageChat.body[0].lastMessage!.media).toBeNull();
    });
  });

  describe('chat messages', () => {
    const path = (q: string) => `/api/default/chats/${enc(ANA)}/messages?${q}`;

    it('requires limit (400 naming it)', async () => {
      const res = await api.get<{ statusCode: number; message: string[]; error: string }>(path('offset=0'));
      expect(res.status).toBe(400);
      expect(res.body.statusCode).toBe(400);
      expect(res.body.error).toBe('Bad Request');
      expect(res.body.message.some((m) => m.startsWith('limit '))).toBe(true);
    });

    it('returns a bare array newest first by default, oldest first only for sortOrder=asc', async () => {
      const desc = await api.get<WAMessage[]>(path('limit=3'));
      expect(desc.status).toBe(200);
      expect(Array.isArray(desc.body)).toBe(true);
      expect(desc.body.map((m) => m.timestamp)).toEqual([
        SEED_ANCHOR_SECONDS,
        SEED_ANCHOR_SECONDS - 60,
        SEED_ANCHOR_SECONDS - 120,
      ]);
      expect((await api.get<WAMessage[]>(path('limit=3&sortOrder=DESC'))).body).toEqual(desc.body);
      const asc = await api.get<WAMessage[]>(path('limit=2&sortBy=timestamp&sortOrder=asc'));
      expect(asc.body.map((m) => m.timestamp)).toEqual([
        SEED_ANCHOR_SECONDS - 11 * SEED_STEP_SECONDS,
        SEED_ANCHOR_SECONDS - 10 * SEED_STEP_SECONDS,
      ]);
      expect(keyPaths(desc.body.find((m) => !m.hasMedia && !m.fromMe && !m._data.Message.extendedTextMessage))).toEqual(
        keyPaths(loadFixture<unknown[]>('chat-messages-page.json')[0]),
      );
    });

    it('pages with offset until an empty page, every message once', async () => {
      const seen: string[] = [];
      for (let offset = 0; ; offset += 5) {
        const page = await api.get<WAMessage[]>(path(`limit=5&offset=${offset}&downloadMedia=false`));
        if (page.body.length === 0) break;
        seen.push(...page.body.map((m) => m.id));
      }
      expect(seen).toHaveLength(12);
      expect(new Set(seen).size).toBe(12);
    });

    it('filters timestamps inclusively (unix seconds) and by fromMe', async () => {
      const gte = SEED_ANCHOR_SECONDS - 3 * SEED_STEP_SECONDS;
      const lte = SEED_ANCHOR_SECONDS - SEED_STEP_SECONDS;
      const range = await api.get<WAMessage[]>(
        path(`limit=100&filter.timestamp.gte=${gte}&filter.timestamp.lte=${lte}`),
      );
      expect(range.body.map((m) => m.timestamp)).toEqual([lte, lte - 60, gte]);
      const mine = await api.get<WAMessage[]>(path('limit=100&filter.fromMe=true'));
      expect(mine.body).toHaveLength(4);
      expect(mine.body.every((m) => m.fromMe && m.source === 'api' && m.ack === 3 && m.ackName === 'READ')).toBe(true);
      const theirs = await api.get<WAMessage[]>(path('limit=100&filter.fromMe=false'));
      expect(theirs.body).toHaveLength(8);
      expect(theirs.body.every((m) => !m.fromMe && m.ack === 2 && m.ackName === 'DEVICE')).toBe(true);
      const read = await api.get<WAMessage[]>(path('limit=100&filter.ack=READ'));
      expect(read.body).toHaveLength(4);
      expect((await api.get(path('limit=1&filter.timestamp.gte=soon'))).status).toBe(400);
    });

    it('downloads media by default (fetchable file) and returns media:null with hasMedia kept for downloadMedia=false', async () => {
      const withMedia = await api.get<WAMessage[]>(path('limit=100'));
      const image = withMedia.body.find((m) => m.hasMedia)!;
      expect(image.media).toEqual({
        url: expect.stringMatching(/\/api\/files\/default\/AC[0-9A-F]{30}\.jpeg$/),
        mimetype: 'image/jpeg',
        filename: null,
        error: null,
      });
      expect(image.media!.url!.startsWith(sim.url)).toBe(true);
      const file = await fetch(image.media!.url!, { headers: { 'X-Api-Key': 'sim-api-key' } });
      expect(file.status).toBe(200);
      expect(file.headers.get('content-type')).toBe('image/jpeg');
      expect(Buffer.from(await file.arrayBuffer()).equals(SAMPLE_JPEG)).toBe(true);
      expect((await fetch(`${image.media!.url!}?x-api-key=sim-api-key`)).status).toBe(200);

      const without = await api.get<WAMessage[]>(path('limit=100&downloadMedia=false'));
      const same = without.body.find((m) => m.id === image.id)!;
      expect(same.hasMedia).toBe(true);
      expect(same.media).toBeNull();

      const missing = await api.get('/api/files/default/AC00.jpeg');
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ error: { code: 404, key: 'FILE_NOT_FOUND' } });
    });

    it('gets one message by full id or bare raw id, 404 otherwise', async () => {
      const [latest] = (await api.get<WAMessage[]>(path('limit=1'))).body;
      const byId = await api.get<WAMessage>(`/api/default/chats/${enc(ANA)}/messages/${enc(latest.id)}`);
      expect(byId.status).toBe(200);
      expect(byId.body).toEqual(latest);
      const raw = latest.id.split('_')[2];
      expect((await api.get<WAMessage>(`/api/default/chats/${enc(ANA)}/messages/${raw}`)).body.id).toBe(latest.id);
      expect((await api.get<WAMessage>(`/api/default/chats/all/messages/${raw}`)).body.id).toBe(latest.id);
      expect((await api.get(`/api/default/chats/${enc(ANA)}/messages/ACFFFF`)).status).toBe(404);
    });

    it('accepts a bare phone number and chatId=all', async () => {
      expect((await api.get<WAMessage[]>('/api/default/chats/5521900000002/messages?limit=100')).body).toHaveLength(12);
      expect((await api.get<WAMessage[]>('/api/default/chats/all/messages?limit=100')).body).toHaveLength(36);
      expect((await api.get<WAMessage[]>('/api/default/chats/5599000000000@c.us/messages?limit=10')).body).toEqual([]);
    });
  });

  describe('sendText', () => {
    it('answers 400 listing the missing fields', async () => {
      const res = await api.post<{ statusCode: number; message: string[]; error: string }>('/api/sendText', {
        text: '',
      });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('Bad Request');
      const joined = res.body.message.join('\n');
      expect(joined).toMatch(/session should not be empty/);
      expect(joined).toMatch(/chatId should not be empty/);
      expect(joined).toMatch(/text should not be empty/);
      expect((await api.post('/api/sendText', { session: 'default', chatId: 'not-a-chat', text: 'x' })).status).toBe(
        400,
      );
    });

    it('answers 201 {id,_data} like GOWS, records the send and stores it with acks rising to READ', async () => {
      const request = loadFixture('send-text-request.json');
      const res = await api.post<{ id: string; _data: Record<string, unknown> }>('/api/sendText', {
        ...request,
        chatId: ANA,
      });
      expect(res.status).toBe(201);
      expect(res.body.id).toMatch(/^true_5521900000001@c\.us_3EB0[0-9A-F]{18}$/);
      expect(keyPaths(res.body)).toEqual(keyPaths(loadFixture('send-text-response.json')));
      expect(res.body._data).toEqual({ extendedTextMessage: { text: request.text } });

      const sent = await api.get<Array<{ id: string; chatId: string; text: string }>>('/_sim/sent');
      expect(sent.body).toEqual([expect.objectContaining({ id: res.body.id, chatId: ANA, text: request.text })]);

      const deadline = Date.now() + 3000;
      let stored: WAMessage | undefined;
      do {
        stored = (await api.get<WAMessage>(`/api/default/chats/${enc(ANA)}/messages/${enc(res.body.id)}`)).body;
        if (stored.ack === 3) break;
        await new Promise((r) => setTimeout(r, 20));
      } while (Date.now() < deadline);
      expect(stored).toMatchObject({
        id: res.body.id,
        fromMe: true,
        source: 'api',
        ack: 3,
        ackName: 'READ',
        body: request.text,
      });
      expect(stored._data.Status).toBe(4);
    });

    it('quotes the replied message and accepts a pre-generated id', async () => {
      const [target] = (
        await api.get<WAMessage[]>(`/api/default/chats/${enc(ANA)}/messages?limit=1&filter.fromMe=false`)
      ).body;
      const res = await api.post<{ id: string; _data: Record<string, unknown> }>('/api/sendText', {
        session: 'default',
        chatId: '5521900000001',
        text: 'respondendo',
        reply_to: target.id,
        id: '3EB0AAAABBBBCCCCDDDDEE',
      });
      expect(res.body.id).toBe('true_5521900000001@c.us_3EB0AAAABBBBCCCCDDDDEE');
      expect(res.body._data).toEqual({
        extendedTextMessage: {
          text: 'respondendo',
          contextInfo: {
            stanzaID: target.id.split('_')[2],
            participant: '5521900000001@s.whatsapp.net',
            quotedMessage: { conversation: target.body },
          },
        },
      });
      const stored = (await api.get<WAMessage>(`/api/default/chats/${enc(ANA)}/messages/${enc(res.body.id)}`)).body;
      expect(stored.replyTo).toEqual({
        id: target.id.split('_')[2],
        participant: ANA,
        body: target.body,
        hasMedia: false,
      });
    });
  });

  describe('fault injection', () => {
    it('answers 429 with Retry-After on the chosen paths only', async () => {
      await api.post('/_sim/faults', { status429Rate: 1, retryAfterSeconds: 7, onlyPaths: ['/api/sendText'] });
      const throttled = await api.post('/api/sendText', { session: 'default', chatId: ANA, text: 'x' });
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get('retry-after')).toBe('7');
      expect(throttled.body).toMatchObject({ statusCode: 429 });
      expect((await api.get('/api/default/chats')).status).toBe(200);
      expect((await api.get('/_sim/sent')).body).toEqual([]);
    });

    it('answers 500 with the engine error body', async () => {
      await api.post('/_sim/faults', { errorRate: 1 });
      const res = await api.get<Record<string, unknown>>('/api/default/chats?limit=1');
      expect(res.status).toBe(500);
      expect(res.body).toMatchObject({
        statusCode: 500,
        exception: { message: expect.stringContaining('UNKNOWN'), code: 2 },
        request: { method: 'GET', path: '/api/default/chats' },
        version: { version: '2026.7.1', engine: 'GOWS' },
      });
      expect(typeof res.body.timestamp).toBe('string');
      expect((await api.get('/ping')).status).toBe(200);
      expect((await api.get('/_sim/faults')).status).toBe(200);
    });

    it('adds latency, still needs the key first, and switches off with {}', async () => {
      await api.post('/_sim/faults', { latencyMs: 300, errorRate: 1 });
      expect((await api.get('/api/sessions', { 'X-Api-Key': 'bad' })).status).toBe(401);
      const started = Date.now();
      expect((await api.get('/api/sessions')).status).toBe(500);
      expect(Date.now() - started).toBeGreaterThanOrEqual(280);
      await api.post('/_sim/faults', {});
      expect((await api.get('/api/sessions')).status).toBe(200);
      expect((await api.post('/_sim/faults', { errorRate: 2 })).status).toBe(400);
    });

    it('answers the chosen error status: 404 with the session-gone body, 422 with the not-WORKING body', async () => {
      await api.post('/_sim/faults', { errorRate: 1, errorStatus: 404, onlyPaths: ['/api/sendText'] });
      const gone = await api.post('/api/sendText', { session: 'default', chatId: ANA, text: 'x' });
      expect(gone.status).toBe(404);
      expect(gone.body).toMatchObject({
        statusCode: 404,
        message: expect.stringContaining("We didn't find a session with name 'default'"),
      });
      await api.post('/_sim/faults', { errorRate: 1, errorStatus: 422, onlyPaths: ['/api/sendText'] });
      const notReady = await api.post('/api/sendText', { session: 'default', chatId: ANA, text: 'x' });
      expect(notReady.status).toBe(422);
      expect(notReady.body).toMatchObject({ session: 'default', expected: ['WORKING'] });
      expect((await api.get('/_sim/sent')).body).toEqual([]);
      expect((await api.post('/_sim/faults', { errorStatus: 418 })).status).toBe(400);
    });

    it('with afterHandling, sends first and then fails or delays the answer (the message is out)', async () => {
      await api.post('/_sim/faults', { errorRate: 1, afterHandling: true, onlyPaths: ['/api/sendText'] });
      const failed = await api.post('/api/sendText', {
        session: 'default',
        chatId: ANA,
        text: 'sent anyway',
        id: '3EB0AF7E000000000000001',
      });
      expect(failed.status).toBe(500);
      expect((await api.get<{ id: string }[]>('/_sim/sent')).body.map((s) => s.id)).toEqual([
        `true_${ANA}_3EB0AF7E000000000000001`,
      ]);
      const found = await api.get<WAMessage>(
        `/api/default/chats/${enc(ANA)}/messages/${enc(`true_${ANA}_3EB0AF7E000000000000001`)}`,
      );
      expect(found.status).toBe(200);
      expect(found.body).toMatchObject({ fromMe: true, source: 'api', body: 'sent anyway' });

      await api.post('/_sim/faults', { latencyMs: 1000, afterHandling: true, onlyPaths: ['/api/sendText'] });
      let answered = false;
      const slow = api.post('/api/sendText', { session: 'default', chatId: ANA, text: 'slow' }).then((res) => {
        answered = true;
        return res;
      });
      const deadline = Date.now() + 5_000;
      while (
        !(await api.get<{ text: string }[]>('/_sim/sent')).body.some((s) => s.text === 'slow') &&
        Date.now() < deadline
      ) {
        await new Promise((r) => setTimeout(r, 10));
      }
      // Recorded while its answer is still held back.
      expect((await api.get<{ text: string }[]>('/_sim/sent')).body.map((s) => s.text)).toContain('slow');
      expect(answered).toBe(false);
      expect((await slow).status).toBe(201);
    });

    it('with ignoreMessageIds, assigns its own id instead of the pre-generated one', async () => {
      await api.post('/_sim/faults', { ignoreMessageIds: true });
      const sent = await api.post<{ id: string }>('/api/sendText', {
        session: 'default',
        chatId: ANA,
        text: 'x',
        id: '3EB01D00000000000000001',
      });
      expect(sent.status).toBe(201);
      expect(sent.body.id).toMatch(new RegExp(`^true_${ANA}_3EB0[0-9A-F]+$`));
      expect(sent.body.id).not.toContain('3EB01D00000000000000001');
      await api.post('/_sim/faults', {});
      const kept = await api.post<{ id: string }>('/api/sendText', {
        session: 'default',
        chatId: ANA,
        text: 'y',
        id: '3EB0CE97000000000000001',
      });
      expect(kept.body.id).toBe(`true_${ANA}_3EB0CE97000000000000001`);
    });
  });

  describe('control', () => {
    it('seeds deterministically and resets to the configured seed', async () => {
      await api.post('/_sim/inbound', { from: '5511999990001', text: 'oi' });
      await api.post('/api/sendText', { session: 'default', chatId: ANA, text: 'x' });
      expect((await api.post('/_sim/seed', { chats: 3, messagesPerChat: 12 })).body).toEqual({
        chats: 3,
        messages: 36,
      });
      expect((await api.get<WAMessage[]>('/api/default/chats/all/messages?limit=1000')).body).toHaveLength(38);
      await api.post('/_sim/reset');
      expect((await api.get<GowsChat[]>('/api/default/chats')).body).toHaveLength(3);
      expect((await api.get<WAMessage[]>('/api/default/chats/all/messages?limit=1000')).body).toHaveLength(36);
      expect((await api.get('/_sim/sent')).body).toEqual([]);
      expect((await api.get('/_sim/deliveries')).body).toEqual([]);
    });

    it('validates control bodies', async () => {
      expect((await api.post('/_sim/inbound', {})).status).toBe(400);
      expect((await api.post('/_sim/inbound', { from: 'abc', text: 'x' })).status).toBe(400);
      expect((await api.post('/_sim/inbound', { from: '5511999990001' })).status).toBe(400);
      expect((await api.post('/_sim/webhook', { url: 'nope' })).status).toBe(400);
      expect((await api.post('/_sim/ack', { messageId: 'true_1@c.us_AA', ack: 3 })).status).toBe(404);
      expect((await api.post('/_sim/seed', { chats: -1, messagesPerChat: 1 })).status).toBe(400);
      expect((await api.post('/_sim/seed', { chats: 100_000, messagesPerChat: 11 })).status).toBe(400);
    });
  });
});
