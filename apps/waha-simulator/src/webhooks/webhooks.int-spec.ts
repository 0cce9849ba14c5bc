import { createWahaSimulator, type WahaSimulator } from '../simulator';
import { SimClient } from '../testing/sim-client';
import { keyPaths, keyTypes, loadFixture } from '../testing/shape';
import { type ReceivedWebhook, WebhookReceiver } from '../testing/webhook-receiver';
import { decodeUlidTime, EVENT_ID_PATTERN } from '../waha/ids';
import { SAMPLE_JPEG } from '../waha/media';
import type { WAMessage } from '../waha/types';
import type { DeliveryRecord } from './webhook-sender';

const HMAC_KEY = 'local-demo-hmac-secret';
const METADATA = { 'crm.tenant': 'acme-001' };

/** Key paths of a fixture envelope and of a received one must be the same. */
function expectSameShape(received: ReceivedWebhook, fixtureName: string): void {
  const fixture = loadFixture(fixtureName);
  expect(keyPaths(received.body)).toEqual(keyPaths(fixture));
  expect(keyTypes(received.body)).toEqual(keyTypes(fixture));
}

describe('WAHA simulator webhooks (real receiver on 127.0.0.1)', () => {
  let sim: WahaSimulator;
  let api: SimClient;
  let receiver: WebhookReceiver;

  const configure = (extra: Record<string, unknown> = {}) =>
    api.post('/_sim/webhook', {
      url: receiver.url,
      hmacKey: HMAC_KEY,
      events: ['*'],
      retries: 15,
      retryDelayMs: 20,
      metadata: METADATA,
      ...extra,
    });

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    sim = await createWahaSimulator({ port: 0, logLevel: 'silent', ackDelayMs: 40 });
    api = new SimClient(sim.url);
  });

  afterAll(async () => {
    await sim?.close();
    await receiver?.close();
  });

  beforeEach(async () => {
    await api.post('/_sim/reset');
    receiver.clear();
    receiver.responder = () => ({ status: 200 });
    await configure();
  });

  it('delivers message.any then DEVICE and READ acks for a sendText, signed and with WAHA headers', async () => {
    const sent = await api.post<{ id: string }>('/api/sendText', {
      session: 'default',
      chatId: '5511999990001@c.us',
      text: 'Oi Ana!',
    });
    expect(sent.status).toBe(201);
    const acks = await receiver.waitFor(
      (r) => {
        const found = r.filter((w) => w.body.event === 'message.ack');
        return found.length >= 2 ? found : undefined;
      },
      5000,
      'two acks',
    );
    const any = receiver.ofEvent('message.any');
    expect(any).toHaveLength(1);
    const payload = any[0].body.payload as unknown as WAMessage;
    expect(payload).toMatchObject({
      id: sent.body.id,
      fromMe: true,
      source: 'api',
      ack: 1,
      ackName: 'SERVER',
      body: 'Oi Ana!',
      from: '5511999990001@c.us',
      to: null,
    });
    expectSameShape(any[0], 'webhook-message-any-outgoing-api.json');

    expect(acks.map((a) => [a.body.payload.id, a.body.payload.ack, a.body.payload.ackName])).toEqual([
      [sent.body.id, 2, 'DEVICE'],
      [sent.body.id, 3, 'READ'],
    ]);
    expect(acks[0].receivedAt).toBeGreaterThanOrEqual(any[0].receivedAt);
    expectSameShape(acks[1], 'webhook-message-ack.json');

    for (const webhook of [...any, ...acks]) {
      expect(receiver.signatureValid(webhook, HMAC_KEY)).toBe(true);
      expect(webhook.headers['content-type']).toBe('application/json');
      expect(webhook.headers['user-agent']).toBe('WAHA/2026.7.1');
      expect(webhook.headers['x-webhook-hmac-algorithm']).toBe('sha512');
      expect(webhook.headers['x-webhook-hmac']).toMatch(/^[0-9a-f]{128}$/);
      expect(webhook.headers['x-webhook-request-id']).toMatch(/^[0-9a-z]+$/);
      expect(webhook.headers['x-webhook-timestamp']).toBe(String(webhook.body.timestamp));
      expect(webhook.body.id).toMatch(EVENT_ID_PATTERN);
      expect(decodeUlidTime(webhook.body.id.slice(4))).toBe(webhook.body.timestamp);
      expect(webhook.rawBody.toString('utf8')).toBe(JSON.stringify(webhook.body));
      expect(webhook.body).toMatchObject({
        session: 'default',
        metadata: METADATA,
        engine: 'GOWS',
        me: { id: '5511999990000@c.us', jid: '5511999990000:12@s.whatsapp.net' },
        environment: {
          version: '2026.7.1',
          engine: 'GOWS',
          tier: 'CORE',
          browser: null,
          platform: 'linux/x64',
          worker: { id: null },
        },
      });
    }
    const ids = new Set([...any, ...acks].map((w) => w.headers['x-webhook-request-id']));
    expect(ids.size).toBe(3);
  });

  it('emits the 2025 GOWS spelling for _sim/inbound with shape gows-2025: bare id, @s.whatsapp.net from, push name in _data.Info', async () => {
    const inbound = await api.post<{ id: string; eventIds: Record<string, string> }>('/_sim/inbound', {
      from: '5511999990007',
      text: 'Bom dia, ainda tem horário amanhã?',
      pushName: 'Bruna Lima',
      shape: 'gows-2025',
    });
    expect(inbound.status).toBe(201);
    const rawId = inbound.body.id.split('_')[2];
    const both = await receiver.waitFor(
      (r) => {
        const found = r.filter((w) => Object.values(inbound.body.eventIds).includes(w.body.id));
        return found.length === 2 ? found : undefined;
      },
      5000,
      'message and message.any',
    );
    expect(both.map((w) => w.body.event).sort()).toEqual(['message', 'message.any']);
    const fixturePayload = loadFixture<{ payload: unknown }>('webhook-message-text-gows-2025.json').payload;
    for (const webhook of both) {
      expect(webhook.body.payload).toMatchObject({
        id: rawId,
        from: '5511999990007@s.whatsapp.net',
        fromMe: false,
        body: 'Bom dia, ainda tem horário amanhã?',
        _data: { Info: { ID: rawId, Chat: '5511999990007@s.whatsapp.net', PushName: 'Bruna Lima' } },
      });
      // Every field of the recorded 2025 payload is there, with the same types.
      expect(keyPaths(webhook.body.payload)).toEqual(expect.arrayContaining(keyPaths(fixturePayload)));
      expect(keyTypes(webhook.body.payload)).toMatchObject(keyTypes(fixturePayload));
    }
    // Only the webhooks are spelled the old way: the stored message keeps its WAHA id.
    const stored = await api.get<WAMessage[]>('/api/default/chats/5511999990007@c.us/messages?limit=1');
    expect(stored.body[0]?.id).toBe(inbound.body.id);
    expect((await api.post('/_sim/inbound', { from: '5511999990007', text: 'x', shape: 'gows-2024' })).status).toBe(
      400,
    );
  });

  it('does not block the API on a slow receiver', async () => {
    receiver.responder = () => ({ status: 200, delayMs: 3000 });
    const started = Date.now();
    const res = await api.post('/_sim/inbound', { from: '5511999990001', text: 'oi' });
    const sent = await api.post('/api/sendText', { session: 'default', chatId: '5511999990001@c.us', text: 'x' });
    expect(res.status).toBe(201);
    expect(sent.status).toBe(201);
    expect(Date.now() - started).toBeLessThan(2000);
    await receiver.waitFor((r) => r.length >= 2, 5000);
  });

  it('retries a failed delivery with the identical body and request id until it succeeds', async () => {
    receiver.responder = ({ attempt }) => ({ status: attempt <= 2 ? 500 : 200 });
    const inbound = await api.post<{ eventIds: Record<string, string> }>('/_sim/inbound', {
      from: '5511999990001',
      text: 'oi',
    });
    const eventId = inbound.body.eventIds.message;
    const attempts = await receiver.waitFor(
      (r) => {
        const mine = r.filter((w) => w.body.id === eventId);
        return mine.length >= 3 ? mine : undefined;
      },
      5000,
      'three attempts',
    );
    expect(attempts.map((a) => a.answeredStatus)).toEqual([500, 500, 200]);
    expect(new Set(attempts.map((a) => a.headers['x-webhook-request-id'])).size).toBe(1);
    expect(new Set(attempts.map((a) => a.headers['x-webhook-hmac'])).size).toBe(1);
    expect(new Set(attempts.map((a) => a.headers['x-webhook-timestamp'])).size).toBe(1);
    expect(attempts.every((a) => a.rawBody.equals(attempts[0].rawBody))).toBe(true);
    expect(attempts[1].receivedAt - attempts[0].receivedAt).toBeGreaterThanOrEqual(15);

    const log = await waitForDelivery(eventId, (d) => d.status === 'delivered');
    expect(log).toMatchObject({ eventId, event: 'message', status: 'delivered', statusCode: 200, attempts: 3 });
    await new Promise((r) => setTimeout(r, 100));
    expect(receiver.received.filter((w) => w.body.id === eventId)).toHaveLength(3);
  });

  it('honours Retry-After when it is longer than the configured delay', async () => {
    receiver.responder = ({ attempt }) =>
      attempt === 1 ? { status: 429, headers: { 'Retry-After': '1' } } : { status: 204 };
    const inbound = await api.post<{ eventIds: Record<string, string> }>('/_sim/inbound', {
      from: '5511999990001',
      text: 'oi',
    });
    const eventId = inbound.body.eventIds.message;
    const attempts = await receiver.waitFor((r) => {
      const mine = r.filter((w) => w.body.id === eventId);
      return mine.length >= 2 ? mine : undefined;
    }, 5000);
    expect(attempts[1].receivedAt - attempts[0].receivedAt).toBeGreaterThanOrEqual(950);
    expect(await waitForDelivery(eventId, (d) => d.status === 'delivered')).toMatchObject({
      statusCode: 204,
      attempts: 2,
    });
  });

  it('gives up after the configured retries, and counts network errors as failures', async () => {
    await configure({ retries: 2 });
    receiver.responder = () => ({ status: 503 });
    const inbound = await api.post<{ eventIds: Record<string, string> }>('/_sim/inbound', {
      from: '5511999990001',
      text: 'oi',
    });
    const failed = await waitForDelivery(inbound.body.eventIds.message, (d) => d.status === 'failed');
    expect(failed).toMatchObject({ statusCode: 503, attempts: 3 });
    expect(receiver.received.filter((w) => w.body.id === inbound.body.eventIds.message)).toHaveLength(3);

    const closed = await new WebhookReceiver().start();
    const deadUrl = closed.url;
    await closed.close();
    await configure({ url: deadUrl, retries: 1 });
    const second = await api.post<{ eventIds: Record<string, string> }>('/_sim/inbound', {
      from: '5511999990001',
      text: 'de novo',
    });
    const unreachable = await waitForDelivery(second.body.eventIds.message, (d) => d.status === 'failed');
    expect(unreachable).toMatchObject({ statusCode: null, attempts: 2 });
    expect(unreachable.lastError).toBeTruthy();
  });

  it('times out a hanging receiver and retries', async () => {
    await configure({ retries: 1, timeoutMs: 100 });
    receiver.responder = ({ attempt }) => (attempt === 1 ? { status: 200, delayMs: 1000 } : { status: 200 });
    const inbound = await api.post<{ eventIds: Record<string, string> }>('/_sim/inbound', {
      from: '5511999990001',
      text: 'oi',
    });
    const done = await waitForDelivery(inbound.body.eventIds.message, (d) => d.status !== 'pending');
    expect(done).toMatchObject({ status: 'delivered', attempts: 2, statusCode: 200 });
  });

  it('posts `message` and `message.any` for an inbound text, shaped like the fixture', async () => {
    const res = await api.post<{ id: string; eventIds: Record<string, string> }>('/_sim/inbound', {
      from: '5511999990001',
      text: 'Pode mandar sim, obrigada!',
      pushName: 'Ana Souza',
      timestamp: 1773147750,
    });
    expect(res.status).toBe(201);
    expect(res.body.id).toMatch(/^false_5511999990001@c\.us_AC[0-9A-F]{30}$/);
    const [message, any] = await receiver.waitFor((r) => {
      const m = r.find((w) => w.body.event === 'message');
      const a = r.find((w) => w.body.event === 'message.any');
      return m && a ? [m, a] : undefined;
    });
    expect(message.body.id).toBe(res.body.eventIds.message);
    expect(any.body.id).toBe(res.body.eventIds['message.any']);
    expect(message.body.id).not.toBe(any.body.id);
    expect(message.body.payload).toEqual(any.body.payload);
    expectSameShape(message, 'webhook-message-text.json');
    const expected = loadFixture<{ payload: WAMessage }>('webhook-message-text.json').payload;
    const payload = message.body.payload as unknown as WAMessage;
    expect({
      ...payload,
      id: undefined,
      _data: { ...payload._data, Info: { ...payload._data.Info, ID: undefined } },
    }).toEqual({
      ...expected,
      id: undefined,
      _data: { ...expected._data, Info: { ...expected._data.Info, ID: undefined } },
    });
    expect(receiver.signatureValid(message, HMAC_KEY)).toBe(true);

    const history = await api.get<WAMessage[]>('/api/default/chats/5511999990001@c.us/messages?limit=5');
    expect(history.body).toEqual([payload]);
    const chats = await api.get('/api/default/chats');
    expect(chats.body).toEqual([{ id: '5511999990001@c.us', name: 'Ana Souza', conversationTimestamp: 1773147750 }]);
  });

  it('posts an image with a downloadable media URL, shaped like the fixture', async () => {
    const res = await api.post<{ id: string }>('/_sim/inbound', {
      from: '5511999990001@c.us',
      type: 'image',
      text: 'Essa é a tela',
      pushName: 'Ana Souza',
    });
    const message = await receiver.waitFor((r) => r.find((w) => w.body.event === 'message'));
    expectSameShape(message, 'webhook-message-image.json');
    const payload = message.body.payload as unknown as WAMessage;
    expect(payload).toMatchObject({
      id: res.body.id,
      hasMedia: true,
      body: 'Essa é a tela',
      _data: { Info: { Type: 'media', MediaType: 'image' } },
    });
    expect(payload.media!.url).toBe(`${sim.url}/api/files/default/${res.body.id.split('_')[2]}.jpeg`);
    const file = await fetch(payload.media!.url!, { headers: { 'X-Api-Key': 'sim-api-key' } });
    expect(Buffer.from(await file.arrayBuffer()).equals(SAMPLE_JPEG)).toBe(true);
  });

  it('posts a Click-to-WhatsApp ad message with externalAdReply, shaped like the fixture', async () => {
    await api.post('/_sim/inbound', {
      from: '5511999990001',
      text: 'Vi o anúncio',
      pushName: 'Ana Souza',
      adReferral: true,
    });
    const message = await receiver.waitFor((r) => r.find((w) => w.body.event === 'message'));
    expectSameShape(message, 'webhook-message-ctwa-ad.json');
    const context = (message.body.payload as unknown as WAMessage)._data.Message.extendedTextMessage as {
      contextInfo: Record<string, unknown>;
    };
    expect(context.contextInfo).toMatchObject({
      externalAdReply: { sourceType: 'ad', showAdAttribution: true },
      entryPointConversionSource: 'ctwa_ad',
    });
  });

  it('posts a group message from a @lid author with a 4-part id and SenderAlt, shaped like the fixture', async () => {
    const res = await api.post<{ id: string }>('/_sim/inbound', {
      from: '5511999990002',
      text: 'Bom dia!',
      pushName: 'Bruno Lima',
      group: { groupId: '120363400000000001@g.us', participantLid: '123450000000002@lid', name: 'Clientes VIP - Acme' },
    });
    expect(res.body.id).toMatch(/^false_120363400000000001@g\.us_3A[0-9A-F]{18}_123450000000002@lid$/);
    const message = await receiver.waitFor((r) => r.find((w) => w.body.event === 'message'));
    expectSameShape(message, 'webhook-message-group.json');
    expect(message.body.payload).toMatchObject({
      from: '120363400000000001@g.us',
      participant: '123450000000002@lid',
      to: '123450000000002@lid',
      _data: {
        Info: {
          IsGroup: true,
          Sender: '123450000000002@lid',
          SenderAlt: '5511999990002@s.whatsapp.net',
          AddressingMode: 'lid',
        },
      },
    });
    const derived = await api.post<{ id: string }>('/_sim/inbound', {
      from: '5511999990003',
      text: 'oi',
      group: { groupId: '120363400000000001' },
    });
    expect(derived.body.id).toMatch(/^false_120363400000000001@g\.us_3A[0-9A-F]{18}_[0-9]{15}@lid$/);
  });

  it('emits only message.any for a message sent from the own phone, and filters by configured events', async () => {
    const own = await api.post<{ id: string; eventIds: Record<string, string> }>('/_sim/inbound', {
      from: '5511999990001',
      text: 'do celular',
      fromMe: true,
    });
    expect(Object.keys(own.body.eventIds)).toEqual(['message.any']);
    const any = await receiver.waitFor((r) => r.find((w) => w.body.event === 'message.any'));
    expect(any.body.payload).toMatchObject({ id: own.body.id, fromMe: true, source: 'app' });

    receiver.clear();
    await configure({ events: ['message'] });
    await api.post('/_sim/inbound', { from: '5511999990001', text: 'só message' });
    await receiver.waitFor((r) => r.find((w) => w.body.event === 'message'));
    await new Promise((r) => setTimeout(r, 100));
    expect(receiver.received.map((w) => w.body.event)).toEqual(['message']);
  });

  it('posts ack, reaction, revoke, edit and session.status events shaped like the fixtures', async () => {
    await configure({
      events: ['message.ack', 'message.reaction', 'message.revoked', 'message.edited', 'session.status'],
    });
    const sent = await api.post<{ id: string }>('/api/sendText', {
      session: 'default',
      chatId: '5511999990001@c.us',
      text: 'oi',
    });
    const inbound = await api.post<{ id: string }>('/_sim/inbound', {
      from: '5511999990001',
      text: 'apaga isso',
      pushName: 'Ana Souza',
    });
    await receiver.waitFor((r) => r.filter((w) => w.body.event === 'message.ack').length >= 2);

    const played = await api.post<{ eventId: string; ack: number }>('/_sim/ack', {
      messageId: sent.body.id,
      ack: 'PLAYED',
    });
    expect(played.body.ack).toBe(4);
    const ack = await receiver.waitFor((r) => r.find((w) => w.body.id === played.body.eventId));
    expect(ack.body.payload).toMatchObject({ id: sent.body.id, ack: 4, ackName: 'PLAYED', _data: { Type: 'played' } });
    expectSameShape(ack, 'webhook-message-ack.json');

    const reacted = await api.post<{ id: string; eventId: string }>('/_sim/react', {
      messageId: sent.body.id,
      emoji: '👍',
    });
    const reaction = await receiver.waitFor((r) => r.find((w) => w.body.id === reacted.body.eventId));
    expectSameShape(reaction, 'webhook-message-reaction.json');
    expect(reaction.body.payload).toMatchObject({ fromMe: false, reaction: { text: '👍', messageId: sent.body.id } });
    const removed = await api.post<{ eventId: string }>('/_sim/react', {
      messageId: sent.body.id,
      emoji: '',
      from: '5511999990001',
    });
    expect(
      (await receiver.waitFor((r) => r.find((w) => w.body.id === removed.body.eventId))).body.payload,
    ).toMatchObject({ reaction: { text: '' } });

    const edited = await api.post<{ eventId: string }>('/_sim/edit', { messageId: inbound.body.id, text: 'corrigido' });
    const edit = await receiver.waitFor((r) => r.find((w) => w.body.id === edited.body.eventId));
    expect(edit.body.payload).toMatchObject({ body: 'corrigido', editedMessageId: inbound.body.id.split('_')[2] });

    const revoked = await api.post<{ revokedMessageId: string; eventId: string }>('/_sim/revoke', {
      messageId: inbound.body.id,
    });
    const revoke = await receiver.waitFor((r) => r.find((w) => w.body.id === revoked.body.eventId));
    expectSameShape(revoke, 'webhook-message-revoked.json');
    expect(revoke.body.payload).toMatchObject({ revokedMessageId: inbound.body.id.split('_')[2], before: null });
    expect((revoke.body.payload.after as WAMessage).id).not.toBe(inbound.body.id);
    expect(
      (await api.get<WAMessage[]>('/api/default/chats/5511999990001@c.us/messages?limit=10')).body.map((m) => m.id),
    ).toEqual([sent.body.id]);

    const status = await api.post<{ eventId: string }>('/_sim/session-status', { status: 'WORKING' });
    const statusEvent = await receiver.waitFor((r) => r.find((w) => w.body.id === status.body.eventId));
    expectSameShape(statusEvent, 'webhook-session-status.json');
    expect(statusEvent.body.payload).toMatchObject({ name: 'default', status: 'WORKING', data: null });
    const failed = await api.post<{ eventId: string }>('/_sim/session-status', { status: 'FAILED' });
    const failedEvent = await receiver.waitFor((r) => r.find((w) => w.body.id === failed.body.eventId));
    expect(failedEvent.body).not.toHaveProperty('me');
    expect((failedEvent.body.payload.statuses as Array<{ status: string }>).map((s) => s.status)).toEqual([
      'WORKING',
      'WORKING',
      'FAILED',
    ]);
  });

  it('acks group sends with message.ack.group from a known member', async () => {
    await api.post('/_sim/inbound', {
      from: '5511999990002',
      text: 'oi grupo',
      group: { groupId: '120363400000000001@g.us', participantLid: '123450000000002@lid' },
    });
    const sent = await api.post<{ id: string }>('/api/sendText', {
      session: 'default',
      chatId: '120363400000000001@g.us',
      text: 'olá grupo',
    });
    expect(sent.body.id).toMatch(/^true_120363400000000001@g\.us_3EB0[0-9A-F]{18}_5511999990000@c\.us$/);
    const acks = await receiver.waitFor((r) => {
      const found = r.filter((w) => w.body.event === 'message.ack.group');
      return found.length >= 2 ? found : undefined;
    });
    expect(acks.map((a) => [a.body.payload.id, a.body.payload.participant, a.body.payload.ack])).toEqual([
      [sent.body.id, '123450000000002@lid', 2],
      [sent.body.id, '123450000000002@lid', 3],
    ]);
    expect(receiver.ofEvent('message.ack')).toHaveLength(0);
  });

  it('cancels pending acks and retries on reset', async () => {
    await configure({ retryDelayMs: 60_000 });
    receiver.responder = () => ({ status: 500 });
    await api.post('/_sim/inbound', { from: '5511999990001', text: 'oi' });
    await receiver.waitFor((r) => r.length >= 2);
    await api.post('/_sim/reset');
    expect((await api.get('/_sim/deliveries')).body).toEqual([]);
    expect(sim.state.messageCount).toBe(0);
  });

  async function waitForDelivery(
    eventId: string,
    done: (d: DeliveryRecord) => boolean,
    timeoutMs = 5000,
  ): Promise<DeliveryRecord> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const log = (await api.get<DeliveryRecord[]>('/_sim/deliveries')).body.find((d) => d.eventId === eventId);
      if (log && done(log)) return log;
      if (Date.now() > deadline) throw new Error(`delivery ${eventId} not done: ${JSON.stringify(log)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
});
