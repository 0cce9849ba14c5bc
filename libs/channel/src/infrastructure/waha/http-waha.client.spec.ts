import { once } from 'node:events';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { DnsHostResolver, HostResolver, type ResolvedAddress, parseCidrList } from '@app/shared';
import { WahaError, WahaPermanentError, WahaTransientError } from '../../application/waha/waha-client.errors';
import { type WahaConnection } from '../../application/waha/waha-client.port';
import { WahaAddressPolicy } from '../../domain/waha-address-policy';
import { HttpWahaClient } from './http-waha.client';

interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Reply = (res: ServerResponse, req: RecordedRequest) => void;

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Reply =>
  (res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

/** A real HTTP server on 127.0.0.1 standing in for WAHA; each test sets how it answers. */
describe('HttpWahaClient (real HTTP server)', () => {
  let server: Server;
  let baseUrl: string;
  let reply: Reply;
  const requests: RecordedRequest[] = [];
  // Generous for ordinary calls (a loaded CI machine must not turn them into timeouts); the
  // timeout test uses its own client with a short limit. The stand-in listens on loopback, which
  // only an allow-list lets a WAHA client reach.
  const allowLoopback = new WahaAddressPolicy(parseCidrList('127.0.0.1/32'));
  const client = new HttpWahaClient({ wahaHttpTimeoutMs: 10_000 }, allowLoopback, new DnsHostResolver());
  const impatientClient = new HttpWahaClient({ wahaHttpTimeoutMs: 300 }, allowLoopback, new DnsHostResolver());
  afterAll(() => [client, impatientClient].forEach((c) => c.onModuleDestroy()));

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const recorded = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        requests.push(recorded);
        reply(res, recorded);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  });

  beforeEach(() => {
    requests.length = 0;
  });

  const connection = (overrides: Partial<WahaConnection> = {}): WahaConnection => ({
    baseUrl,
    apiKey: 'waha-key-123',
    session: 'default',
    ...overrides,
  });

  async function failure(work: Promise<unknown>): Promise<WahaError> {
    try {
      await work;
    } catch (error) {
      if (error instanceof WahaError) return error;
      throw error;
    }
    throw new Error('expected the call to fail');
  }

  describe('sendText', () => {
    it('posts session, chatId, text and reply_to with the API key and reads a GOWS answer ({ id, _data })', async () => {
      reply = json(201, {
        id: 'true_5511999990001@c.us_3EB0A1B2C3D4E5F6A7B8C9',
        _data: { Info: { ID: '3EB0A1B2C3D4E5F6A7B8C9', IsFromMe: true }, Message: { conversation: 'Olá!' } },
      });
      const sent = await client.sendText({
        ...connection({ baseUrl: `${baseUrl}/` }),
        chatId: '5511999990001@c.us',
        text: 'Olá!',
        replyTo: 'false_5511999990001@c.us_AC0000000000000000000000000000A1',
      });
      expect(sent).toEqual({ id: 'true_5511999990001@c.us_3EB0A1B2C3D4E5F6A7B8C9' });

      expect(requests).toHaveLength(1);
      const [request] = requests;
      expect(request!.method).toBe('POST');
      expect(request!.url).toBe('/api/sendText');
      expect(request!.headers['x-api-key']).toBe('waha-key-123');
      expect(request!.headers['content-type']).toBe('application/json');
      expect(JSON.parse(request!.body)).toEqual({
        session: 'default',
        chatId: '5511999990001@c.us',
        text: 'Olá!',
        reply_to: 'false_5511999990001@c.us_AC0000000000000000000000000000A1',
      });
    });

    it('reads a WEBJS answer ({ id: { _serialized } }) and sends no reply_to or API key when there is none', async () => {
      reply = json(201, {
        id: { fromMe: true, remote: '5511999990001@c.us', id: '3EB0FF', _serialized: 'true_5511999990001@c.us_3EB0FF' },
        ack: 0,
      });
      const sent = await client.sendText({ ...connection({ apiKey: null }), chatId: '5511999990001@c.us', text: 'Hi' });
      expect(sent).toEqual({ id: 'true_5511999990001@c.us_3EB0FF' });
      expect(requests[0]!.headers['x-api-key']).toBeUndefined();
      expect(JSON.parse(requests[0]!.body)).toEqual({ session: 'default', chatId: '5511999990001@c.us', text: 'Hi' });
    });

    it('fails permanently on a 401 (missing or wrong API key), exposing the status', async () => {
      reply = json(401, { message: 'Unauthorized', statusCode: 401 });
      const error = await failure(
        client.sendText({ ...connection({ apiKey: 'wrong' }), chatId: '5511999990001@c.us', text: 'Hi' }),
      );
      expect(error).toBeInstanceOf(WahaPermanentError);
      expect(error).toMatchObject({
        status: 401,
        code: 'WAHA.UNAUTHORIZED',
        retryable: false,
        operation: 'POST /api/sendText',
      });
      expect(error.message).toContain('answered 401');
      expect(error.message).not.toContain('wrong');
    });

    it('fails permanently on a 400 (invalid request)', async () => {
      reply = json(400, { statusCode: 400, message: ['chatId should not be empty'], error: 'Bad Request' });
      const error = await failure(client.sendText({ ...connection(), chatId: '', text: 'Hi' }));
      expect(error).toBeInstanceOf(WahaPermanentError);
      expect(error).toMatchObject({ status: 400, code: 'WAHA.BAD_REQUEST' });
      expect(error.responseBody).toContain('chatId should not be empty');
    });

    it('fails transiently on a 422 (session not ready yet)', async () => {
      reply = json(422, {
        error: 'Session status is not as expected. Try again later or restart the session',
        session: 'default',
        status: 'STARTING',
        expected: ['WORKING'],
      });
      const error = await failure(client.sendText({ ...connection(), chatId: '5511999990001@c.us', text: 'Hi' }));
      expect(error).toBeInstanceOf(WahaTransientError);
      expect(error).toMatchObject({ status: 422, code: 'WAHA.SESSION_NOT_READY', retryable: true });
    });

    it('fails transiently on a 500 (engine error)', async () => {
      reply = json(500, { statusCode: 500, exception: { message: '2 UNKNOWN: server returned error 463', code: 2 } });
      const error = await failure(client.sendText({ ...connection(), chatId: '5511999990001@c.us', text: 'Hi' }));
      expect(error).toBeInstanceOf(WahaTransientError);
      expect(error).toMatchObject({ status: 500, code: 'WAHA.SERVER_ERROR' });
      expect(error.message).toContain('server returned error 463');
    });

    it('fails transiently on a 429 and passes on the Retry-After wait', async () => {
      reply = json(429, { message: 'Too Many Requests' }, { 'retry-after': '7' });
      const error = await failure(client.sendText({ ...connection(), chatId: '5511999990001@c.us', text: 'Hi' }));
      expect(error).toBeInstanceOf(WahaTransientError);
      expect(error).toMatchObject({ status: 429, code: 'WAHA.RATE_LIMITED', retryAfterMs: 7000 });
    });

    it('fails transiently with a timeout when WAHA does not answer in time', async () => {
      reply = () => undefined; // never answers
      const started = Date.now();
      const error = await failure(
        impatientClient.sendText({ ...connection(), chatId: '5511999990001@c.us', text: 'Hi' }),
      );
      expect(error).toBeInstanceOf(WahaTransientError);
      expect(error).toMatchObject({ status: null, code: 'WAHA.TIMEOUT' });
      expect(error.message).toContain('within 300 ms');
      expect(Date.now() - started).toBeLessThan(5000);
      expect(requests).toHaveLength(1);
    });

    it('fails transiently with a timeout when WAHA sends the headers but never ends the body', async () => {
      reply = (res) => {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.write('{"id":'); // and nothing more
      };
      const started = Date.now();
      const error = await failure(
        impatientClient.sendText({ ...connection(), chatId: '5511999990001@c.us', text: 'Hi' }),
      );
      expect(error).toBeInstanceOf(WahaTransientError);
      expect(error).toMatchObject({ status: null, code: 'WAHA.TIMEOUT' });
      expect(Date.now() - started).toBeLessThan(5000);
    });

    it('fails permanently when a 2xx answer carries no message id (sending again could duplicate it)', async () => {
      reply = json(201, { _data: {} });
      const error = await failure(client.sendText({ ...connection(), chatId: '5511999990001@c.us', text: 'Hi' }));
      expect(error).toBeInstanceOf(WahaPermanentError);
      expect(error).toMatchObject({ status: 201, code: 'WAHA.INVALID_RESPONSE' });

      reply = (res) => {
        res.writeHead(201, { 'content-type': 'text/html' });
        res.end('<html>proxy</html>');
      };
      expect(
        await failure(client.sendText({ ...connection(), chatId: '5511999990001@c.us', text: 'Hi' })),
      ).toMatchObject({
        code: 'WAHA.INVALID_RESPONSE',
      });
    });

    it('does not follow redirects (the API key would travel along)', async () => {
      reply = (res) => {
        res.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' });
        res.end();
      };
      const error = await failure(client.sendText({ ...connection(), chatId: '5511999990001@c.us', text: 'Hi' }));
      expect(error).toBeInstanceOf(WahaPermanentError);
      expect(error).toMatchObject({ status: 302, code: 'WAHA.REJECTED' });
      expect(requests).toHaveLength(1);
    });
  });

  describe('findMessage', () => {
    const chatId = '5511999990001@c.us';
    const messageId = 'true_5511999990001@c.us_3EB0A1B2C3D4E5F6A7B8C9';

    it('gets the message by chat and full id (encoded, without media) and reads id, fromMe and ack', async () => {
      reply = json(200, { id: messageId, fromMe: true, source: 'api', ack: 2, body: 'Olá!' });
      await expect(client.findMessage({ ...connection(), chatId, messageId })).resolves.toEqual({
        id: messageId,
        fromMe: true,
        ack: 2,
      });
      expect(requests[0]).toMatchObject({
        method: 'GET',
        url: `/api/default/chats/${encodeURIComponent(chatId)}/messages/${encodeURIComponent(messageId)}?downloadMedia=false`,
      });
      expect(requests[0]!.headers['x-api-key']).toBe('waha-key-123');
    });

    it('answers null when WAHA does not know the message (404 for the message)', async () => {
      reply = json(404, { statusCode: 404, message: `Message '${messageId}' not found`, error: 'Not Found' });
      await expect(client.findMessage({ ...connection(), chatId, messageId })).resolves.toBeNull();
    });

    it('fails permanently on a 404 for the session (the answer is unknown, not "not sent")', async () => {
      reply = json(404, {
        statusCode: 404,
        message: "We didn't find a session with name 'default'.",
        error: 'Not Found',
      });
      const error = await failure(client.findMessage({ ...connection(), chatId, messageId }));
      expect(error).toBeInstanceOf(WahaPermanentError);
      expect(error).toMatchObject({ status: 404, code: 'WAHA.NOT_FOUND' });
    });

    it('fails transiently on a 500, and permanently on a 2xx that is no message', async () => {
      reply = json(500, { statusCode: 500, exception: { message: '2 UNKNOWN' } });
      expect(await failure(client.findMessage({ ...connection(), chatId, messageId }))).toBeInstanceOf(
        WahaTransientError,
      );
      reply = json(200, { nothing: true });
      expect(await failure(client.findMessage({ ...connection(), chatId, messageId }))).toMatchObject({
        code: 'WAHA.INVALID_RESPONSE',
      });
    });
  });

  describe('getSession', () => {
    it('reads name and status of the session, with the session name encoded into the path', async () => {
      reply = json(200, {
        name: 'sales-2',
        status: 'WORKING',
        config: { webhooks: [] },
        me: { id: '5511999990000@c.us', pushName: 'Acme' },
      });
      await expect(client.getSession(connection({ session: 'sales-2' }))).resolves.toEqual({
        name: 'sales-2',
        status: 'WORKING',
      });
      expect(requests[0]).toMatchObject({ method: 'GET', url: '/api/sessions/sales-2' });
      expect(requests[0]!.headers['x-api-key']).toBe('waha-key-123');
    });

    it('fails permanently on a 404 for an unknown session', async () => {
      reply = json(404, { statusCode: 404, message: "We didn't find a session with name 'nope'.", error: 'Not Found' });
      const error = await failure(client.getSession(connection({ session: 'nope' })));
      expect(error).toBeInstanceOf(WahaPermanentError);
      expect(error).toMatchObject({ status: 404, code: 'WAHA.NOT_FOUND', operation: 'GET /api/sessions/{session}' });
    });

    it('fails transiently when nothing listens at the base URL', async () => {
      const closed = createServer();
      closed.listen(0, '127.0.0.1');
      await once(closed, 'listening');
      const port = (closed.address() as AddressInfo).port;
      closed.close();
      await once(closed, 'close');

      const error = await failure(client.getSession(connection({ baseUrl: `http://127.0.0.1:${port}` })));
      expect(error).toBeInstanceOf(WahaTransientError);
      expect(error).toMatchObject({ status: null, code: 'WAHA.UNREACHABLE' });
      expect(error.message).toContain('ECONNREFUSED');
    });
  });
  describe('listChats', () => {
    it('asks for one page with an explicit sort (default conversationTimestamp desc) and reads GOWS chats', async () => {
      reply = json(200, [
        { id: '5511999990001@c.us', name: 'Ana Souza', conversationTimestamp: 1773147750 },
        { id: '120363025555555555@g.us', name: '', conversationTimestamp: 1773140000 },
      ]);
      await expect(client.listChats({ ...connection({ session: 'sales 2' }), limit: 20, offset: 40 })).resolves.toEqual(
        [
          { id: '5511999990001@c.us', name: 'Ana Souza', conversationTimestamp: 1773147750 },
          { id: '120363025555555555@g.us', name: null, conversationTimestamp: 1773140000 },
        ],
      );
      expect(requests[0]).toMatchObject({
        method: 'GET',
        url: '/api/sales%202/chats?limit=20&offset=40&sortBy=conversationTimestamp&sortOrder=desc',
      });
      expect(requests[0]!.headers['x-api-key']).toBe('waha-key-123');

      reply = json(200, []);
      await expect(
        client.listChats({ ...connection(), limit: 5, offset: 0, sortBy: 'id', sortOrder: 'asc' }),
      ).resolves.toEqual([]);
      expect(requests[1]!.url).toBe('/api/default/chats?limit=5&offset=0&sortBy=id&sortOrder=asc');
    });

    it('normalises WEBJS chats ({ id: { _serialized }, timestamp }) and skips items without a usable id', async () => {
      reply = json(200, [
        {
          id: { server: 'c.us', user: '5511999990002', _serialized: '5511999990002@c.us' },
          name: 'Bruno',
          timestamp: 1773147000,
        },
        { id: '5511999990003@s.whatsapp.net', conversationTimestamp: '1773146000' },
        { id: '5511999990004@c.us', name: 'Ms', conversationTimestamp: 1773145000123 },
        { id: { server: 'c.us' }, name: 'no id' },
        { name: 'no id either' },
        'not a chat',
        { id: '', name: 'empty id' },
      ]);
      await expect(client.listChats({ ...connection(), limit: 10, offset: 0 })).resolves.toEqual([
        { id: '5511999990002@c.us', name: 'Bruno', conversationTimestamp: 1773147000 },
        { id: '5511999990003@s.whatsapp.net', name: null, conversationTimestamp: 1773146000 },
        { id: '5511999990004@c.us', name: 'Ms', conversationTimestamp: 1773145000 },
      ]);
    });

    it('fails permanently when the answer is not an array, and refuses a bad page before asking WAHA', async () => {
      reply = json(200, { chats: [] });
      expect(await failure(client.listChats({ ...connection(), limit: 10, offset: 0 }))).toMatchObject({
        code: 'WAHA.INVALID_RESPONSE',
        status: 200,
      });
      const before = requests.length;
      expect(await failure(client.listChats({ ...connection(), limit: 0, offset: 0 }))).toMatchObject({
        code: 'WAHA.BAD_REQUEST',
        status: null,
      });
      expect(await failure(client.listChats({ ...connection(), limit: 10, offset: -1 }))).toMatchObject({
        code: 'WAHA.BAD_REQUEST',
      });
      expect(requests).toHaveLength(before);
    });
  });

  describe('listChatMessages', () => {
    const chatId = '5511999990001@c.us';

    it('asks for one page by timestamp without media, with the bounds as filters, chat id encoded', async () => {
      const page = [
        { id: 'false_5511999990001@c.us_AC01', timestamp: 1773147750, fromMe: false, body: 'Oi' },
        { id: 'true_5511999990001@c.us_3EB0', timestamp: 1773147760, fromMe: true, body: 'Olá!' },
      ];
      reply = json(200, page);
      await expect(
        client.listChatMessages({
          ...connection(),
          chatId,
          limit: 100,
          offset: 200,
          sortOrder: 'asc',
          timestampGte: 1773000000,
          timestampLte: 1773147760,
        }),
      ).resolves.toEqual(page);
      expect(requests[0]).toMatchObject({
        method: 'GET',
        url: `/api/default/chats/${encodeURIComponent(chatId)}/messages?limit=100&offset=200&sortBy=timestamp&sortOrder=asc&downloadMedia=false&filter.timestamp.gte=1773000000&filter.timestamp.lte=1773147760`,
      });

      reply = json(200, []);
      await expect(
        client.listChatMessages({ ...connection(), chatId, limit: 10, offset: 0, sortOrder: 'desc' }),
      ).resolves.toEqual([]);
      expect(requests[1]!.url).toBe(
        `/api/default/chats/${encodeURIComponent(chatId)}/messages?limit=10&offset=0&sortBy=timestamp&sortOrder=desc&downloadMedia=false`,
      );
    });

    it('fails permanently unless the answer is a JSON array of objects', async () => {
      for (const answer of [{ messages: [] }, [{ id: 'x' }, 'text'], [null], null]) {
        reply = answer === null ? (res) => res.writeHead(200).end() : json(200, answer);
        const error = await failure(
          client.listChatMessages({ ...connection(), chatId, limit: 10, offset: 0, sortOrder: 'asc' }),
        );
        expect(error).toBeInstanceOf(WahaPermanentError);
        expect(error).toMatchObject({ code: 'WAHA.INVALID_RESPONSE' });
      }
    });

    it('names the session status problem on a 422 and keeps it transient', async () => {
      reply = json(422, {
        error: 'Session status is not as expected. Try again later or restart the session',
        session: 'default',
        status: 'SCAN_QR_CODE',
        expected: ['WORKING'],
      });
      const error = await failure(
        client.listChatMessages({ ...connection(), chatId, limit: 10, offset: 0, sortOrder: 'asc' }),
      );
      expect(error).toBeInstanceOf(WahaTransientError);
      expect(error).toMatchObject({ code: 'WAHA.SESSION_NOT_READY', status: 422 });
      expect(error.message).toContain("the WAHA session 'default' is SCAN_QR_CODE, not WORKING");
    });
  });

  describe('address policy (WAHA_ALLOWED_CIDRS), checked at connect time', () => {
    /** A resolver whose answers each test sets: stands in for DNS that changes between calls. */
    class ScriptedResolver extends HostResolver {
      answers: Record<string, ResolvedAddress[]> = {};
      async resolve(hostname: string): Promise<ResolvedAddress[]> {
        return this.answers[hostname] ?? [];
      }
    }
    const resolver = new ScriptedResolver();
    const publicOnly = new HttpWahaClient({ wahaHttpTimeoutMs: 10_000 }, new WahaAddressPolicy(), resolver);
    const loopbackAllowed = new HttpWahaClient({ wahaHttpTimeoutMs: 10_000 }, allowLoopback, resolver);
    afterAll(() => [publicOnly, loopbackAllowed].forEach((c) => c.onModuleDestroy()));
    const port = () => new URL(baseUrl).port;

    it('refuses an IP literal the policy refuses, before any request', async () => {
      const error = await failure(publicOnly.getSession(connection()));
      expect(error).toBeInstanceOf(WahaPermanentError);
      expect(error).toMatchObject({ status: null, code: 'WAHA.ADDRESS_REFUSED' });
      expect(error.message).toContain('loopback');
      expect(requests).toHaveLength(0);
    });

    it('connects to a host name through its own lookup, and refuses it once the name points at a refused address', async () => {
      reply = json(200, { name: 'default', status: 'WORKING' });
      resolver.answers['waha.internal.test'] = [{ address: '127.0.0.1', family: 4 }];
      const named = connection({ baseUrl: `http://waha.internal.test:${port()}` });
      await expect(loopbackAllowed.getSession(named)).resolves.toEqual({ name: 'default', status: 'WORKING' });
      expect(requests).toHaveLength(1);

      // The same name now also answers with the cloud metadata address: refused, nothing sent.
      resolver.answers['waha.internal.test'] = [
        { address: '127.0.0.1', family: 4 },
        { address: '169.254.169.254', family: 4 },
      ];
      loopbackAllowed.onModuleDestroy(); // no pooled socket from the first call may carry the second
      const error = await failure(loopbackAllowed.getSession(named));
      expect(error).toMatchObject({ status: null, code: 'WAHA.ADDRESS_REFUSED' });
      expect(error.message).toContain('169.254.169.254');
      expect(requests).toHaveLength(1);
    });

    it('refuses a host name resolving to loopback when the policy does not allow it', async () => {
      resolver.answers['rebound.test'] = [{ address: '::ffff:127.0.0.1', family: 6 }];
      const error = await failure(
        publicOnly.sendText({
          ...connection({ baseUrl: `http://rebound.test:${port()}` }),
          chatId: '5511999990001@c.us',
          text: 'Hi',
        }),
      );
      expect(error).toBeInstanceOf(WahaPermanentError);
      expect(error).toMatchObject({ code: 'WAHA.ADDRESS_REFUSED' });
      expect(requests).toHaveLength(0);
    });
  });
});
