import { once } from 'node:events';
import { type Server, type ServerResponse, createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { register } from 'prom-client';
import { DnsHostResolver, parseCidrList } from '@app/shared';
import { WahaError, WahaPermanentError, WahaTransientError } from '../../application/waha/waha-client.errors';
import { type WahaConnection } from '../../application/waha/waha-client.port';
import {
  WahaCircuitStateStore,
  type WahaCircuitStatus,
  type WahaCircuitTransition,
} from '../../application/waha/waha-circuit-state.port';
import { type WahaChannelGuardSettings, type WahaReadRetrySettings } from '../../channel.config';
import { WahaAddressPolicy } from '../../domain/waha-address-policy';
import { HttpWahaClient } from './http-waha.client';
import { ResilientWahaClient } from './resilient-waha.client';

interface Arrival {
  method: string;
  url: string;
  /** performance.now() when the request arrived. */
  at: number;
}

type Reply = (res: ServerResponse) => void;

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Reply =>
  (res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
const SESSION = json(200, { name: 'default', status: 'WORKING' });
const UNAVAILABLE = json(503, { statusCode: 503, message: 'Service Unavailable' });

/** Remembers every transition; `failing` makes every write throw (a database outage). */
class MemoryCircuitStore extends WahaCircuitStateStore {
  readonly transitions: WahaCircuitTransition[] = [];
  readonly closedIfNot: string[] = [];
  failing = false;

  async record(transition: WahaCircuitTransition): Promise<void> {
    if (this.failing) throw new Error('connection to the database lost');
    this.transitions.push(transition);
  }

  async recordClosedIfNot(channelId: string): Promise<void> {
    if (this.failing) throw new Error('connection to the database lost');
    this.closedIfNot.push(channelId);
  }

  async findByChannels(): Promise<Map<string, WahaCircuitStatus>> {
    return new Map();
  }
}

/** A real HTTP server on 127.0.0.1 standing in for WAHA: answers from a script (then `fallback`),
 *  and logs when each request arrived. */
describe('ResilientWahaClient (real HTTP server)', () => {
  let server: Server;
  let baseUrl: string;
  let script: Reply[] = [];
  let fallback: Reply = SESSION;
  const arrivals: Arrival[] = [];
  const http = new HttpWahaClient(
    { wahaHttpTimeoutMs: 10_000 },
    new WahaAddressPolicy(parseCidrList('127.0.0.1/32')),
    new DnsHostResolver(),
  );
  afterAll(() => http.onModuleDestroy());

  const retrySettings: WahaReadRetrySettings = { attempts: 4, baseDelayMs: 20, maxDelayMs: 3_000, budgetMs: 5_000 };
  const guardSettings: WahaChannelGuardSettings = {
    breakerThreshold: 3,
    breakerHalfOpenAfterMs: 400,
    breakerHalfOpenMaxMs: 2_000,
    rateLimitPerSecond: 1_000,
    rateLimitMaxWaitMs: 5_000,
  };
  const clientWith = (
    overrides: { retry?: Partial<WahaReadRetrySettings>; guard?: Partial<WahaChannelGuardSettings> } = {},
    store = new MemoryCircuitStore(),
  ) => ({
    store,
    client: new ResilientWahaClient(
      http,
      {
        wahaReadRetry: { ...retrySettings, ...overrides.retry },
        wahaChannelGuard: { ...guardSettings, ...overrides.guard },
      },
      store,
    ),
  });

  beforeAll(async () => {
    server = createServer((req, res) => {
      arrivals.push({ method: req.method ?? '', url: req.url ?? '', at: performance.now() });
      req.resume();
      req.on('end', () => (script.shift() ?? fallback)(res));
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
    arrivals.length = 0;
    script = [];
    fallback = SESSION;
  });

  let channelCounter = 0;
  /** A connection of a channel of its own, so breakers and limiters of tests do not meet. */
  const channel = (overrides: Partial<WahaConnection> = {}): WahaConnection => {
    channelCounter += 1;
    return {
      baseUrl,
      apiKey: 'waha-key-123',
      session: 'default',
      channelId: `00000000-0000-4000-8000-${String(channelCounter).padStart(12, '0')}`,
      ...overrides,
    };
  };

  async function failure(work: Promise<unknown>): Promise<WahaError> {
    try {
      await work;
    } catch (error) {
      if (error instanceof WahaError) return error;
      throw error;
    }
    throw new Error('expected the call to fail');
  }

  /** The cool-down an open-circuit error announces: from "open since" to "tried again from". */
  const announcedCoolDownMs = (error: WahaError): number => {
    const match = /open since (\S+) .*tried again from (\S+)$/.exec(error.message);
    if (!match) throw new Error(`no cool-down in: ${error.message}`);
    return Date.parse(match[2]!) - Date.parse(match[1]!);
  };

  async function metric(name: string, labels: Record<string, string>): Promise<number> {
    const found = (await register.getSingleMetric(name)?.get())?.values.find((v) =>
      Object.entries(labels).every(([k, value]) => v.labels[k] === value),
    );
    return found?.value ?? 0;
  }

  describe('retries of reads', () => {
    it('retries a 503 with backoff and answers the success', async () => {
      const { client } = clientWith();
      const retriedBefore = await metric('crm_waha_calls_total', { operation: 'getSession', outcome: 'retried' });
      script = [UNAVAILABLE, UNAVAILABLE];
      await expect(client.getSession(channel())).resolves.toEqual({ name: 'default', status: 'WORKING' });
      expect(arrivals.map((a) => a.url)).toEqual([
        '/api/sessions/default',
        '/api/sessions/default',
        '/api/sessions/default',
      ]);
      expect(await metric('crm_waha_calls_total', { operation: 'getSession', outcome: 'retried' })).toBe(
        retriedBefore + 1,
      );
    });

    it('honours Retry-After on a 429: the second attempt comes at least 900 ms after the first', async () => {
      const { client } = clientWith();
      script = [json(429, { message: 'Too Many Requests' }, { 'retry-after': '1' })];
      fallback = json(200, [{ id: '5511999990001@c.us', name: 'Ana', conversationTimestamp: 1773147750 }]);
      await expect(client.listChats({ ...channel(), limit: 20, offset: 0 })).resolves.toEqual([
        { id: '5511999990001@c.us', name: 'Ana', conversationTimestamp: 1773147750 },
      ]);
      expect(arrivals).toHaveLength(2);
      expect(arrivals[1]!.at - arrivals[0]!.at).toBeGreaterThanOrEqual(900);
    });

    it('retries a timeout: the attempt that hung is given up and the next one answers', async () => {
      const impatientHttp = new HttpWahaClient(
        { wahaHttpTimeoutMs: 200 },
        new WahaAddressPolicy(parseCidrList('127.0.0.1/32')),
        new DnsHostResolver(),
      );
      try {
        const client = new ResilientWahaClient(
          impatientHttp,
          { wahaReadRetry: retrySettings, wahaChannelGuard: guardSettings },
          new MemoryCircuitStore(),
        );
        script = [() => undefined]; // never answers
        fallback = json(404, { statusCode: 404, message: 'Message not found', error: 'Not Found' });
        await expect(
          client.findMessage({ ...channel(), chatId: '5511999990001@c.us', messageId: 'true_5511999990001@c.us_3EB0' }),
        ).resolves.toBeNull();
        expect(arrivals).toHaveLength(2);
        expect(arrivals[1]!.at - arrivals[0]!.at).toBeGreaterThanOrEqual(190);
      } finally {
        impatientHttp.onModuleDestroy();
      }
    });

    it('retries 5xx and network errors of every read, up to the attempt limit', async () => {
      const { client } = clientWith({ retry: { attempts: 3 } });
      fallback = json(500, { statusCode: 500, exception: { message: '2 UNKNOWN' } });
      const error = await failure(
        client.listChatMessages({ ...channel(), chatId: '5511999990001@c.us', limit: 10, offset: 0, sortOrder: 'asc' }),
      );
      expect(error).toBeInstanceOf(WahaTransientError);
      expect(error).toMatchObject({ code: 'WAHA.SERVER_ERROR', status: 500 });
      expect(arrivals).toHaveLength(3);

      // Nothing listens there: every attempt is refused, and the last refusal is the answer.
      const closed = createServer();
      closed.listen(0, '127.0.0.1');
      await once(closed, 'listening');
      const port = (closed.address() as AddressInfo).port;
      closed.close();
      await once(closed, 'close');
      const started = performance.now();
      const unreachable = await failure(client.getSession(channel({ baseUrl: `http://127.0.0.1:${port}` })));
      expect(unreachable).toMatchObject({ code: 'WAHA.UNREACHABLE' });
      // Two backoffs of 20 ms and 40 ms (half jittered) were waited.
      expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    });

    it('gives up at once when WAHA asks for a wait beyond the budget or the longest delay, passing the wait on', async () => {
      const { client } = clientWith({ retry: { budgetMs: 2_000, maxDelayMs: 10_000 } });
      script = [json(429, { message: 'Too Many Requests' }, { 'retry-after': '3' })];
      const error = await failure(client.getSession(channel()));
      expect(error).toMatchObject({ code: 'WAHA.RATE_LIMITED', retryAfterMs: 3_000 });
      expect(arrivals).toHaveLength(1);

      const { client: impatient } = clientWith({ retry: { maxDelayMs: 500 } });
      script = [json(429, { message: 'Too Many Requests' }, { 'retry-after': '1' })];
      expect(await failure(impatient.getSession(channel()))).toMatchObject({
        code: 'WAHA.RATE_LIMITED',
        retryAfterMs: 1_000,
      });
      expect(arrivals).toHaveLength(2);
    });

    it('does not retry 404 and 401, and says what they mean', async () => {
      const { client } = clientWith();
      script = [
        json(404, { statusCode: 404, message: "We didn't find a session with name 'nope'.", error: 'Not Found' }),
      ];
      const notFound = await failure(client.getSession(channel({ session: 'nope' })));
      expect(notFound).toBeInstanceOf(WahaPermanentError);
      expect(notFound).toMatchObject({ code: 'WAHA.NOT_FOUND', status: 404 });
      expect(notFound.message).toContain("WAHA has no session of the channel's session name");
      expect(notFound.message).toContain("We didn't find a session with name 'nope'.");
      expect(arrivals).toHaveLength(1);

      script = [json(401, { message: 'Unauthorized', statusCode: 401 })];
      const unauthorized = await failure(
        client.listChats({ ...channel({ apiKey: 'not-the-key' }), limit: 10, offset: 0 }),
      );
      expect(unauthorized).toMatchObject({ code: 'WAHA.UNAUTHORIZED', status: 401 });
      expect(unauthorized.message).toContain("WAHA did not accept the API key: check the channel's WAHA API key");
      expect(unauthorized.message).not.toContain('not-the-key');
      expect(arrivals).toHaveLength(2);
    });

    it('does not retry a 422 (session not WORKING) inside the call, and keeps it transient', async () => {
      const { client } = clientWith();
      script = [
        json(422, {
          error: 'Session status is not as expected. Try again later or restart the session',
          session: 'default',
          status: 'STARTING',
          expected: ['WORKING'],
        }),
      ];
      const error = await failure(
        client.findMessage({ ...channel(), chatId: '5511999990001@c.us', messageId: 'true_5511999990001@c.us_3EB0' }),
      );
      expect(error).toBeInstanceOf(WahaTransientError);
      expect(error).toMatchObject({ code: 'WAHA.SESSION_NOT_READY' });
      expect(error.message).toContain("the WAHA session 'default' is STARTING, not WORKING");
      expect(arrivals).toHaveLength(1);
    });

    it('never retries sendText, not even on a 500 (the message may have gone out)', async () => {
      const { client } = clientWith();
      fallback = json(500, { statusCode: 500, exception: { message: '2 UNKNOWN: server returned error 463' } });
      const error = await failure(client.sendText({ ...channel(), chatId: '5511999990001@c.us', text: 'Olá' }));
      expect(error).toBeInstanceOf(WahaTransientError);
      expect(error).toMatchObject({ code: 'WAHA.SERVER_ERROR', status: 500 });
      expect(arrivals.map((a) => `${a.method} ${a.url}`)).toEqual(['POST /api/sendText']);
    });
  });

  describe('circuit breaker per channel', () => {
    it('opens after N consecutive failures, fails fast without asking WAHA, half-opens after the cool-down and closes on success', async () => {
      const { client, store } = clientWith({ retry: { attempts: 1 } });
      const connection = channel();
      const other = channel();
      fallback = UNAVAILABLE;
      for (let i = 0; i < 3; i++)
        expect(await failure(client.getSession(connection))).toMatchObject({ code: 'WAHA.SERVER_ERROR' });
      expect(arrivals).toHaveLength(3);

      const openedAt = Date.now();
      const fast = await failure(client.listChats({ ...connection, limit: 10, offset: 0 }));
      expect(fast).toBeInstanceOf(WahaTransientError);
      expect(fast).toMatchObject({ code: 'WAHA.CIRCUIT_OPEN', status: null });
      expect(fast.retryAfterMs).toBeLessThanOrEqual(400);
      expect(announcedCoolDownMs(fast)).toBe(400);
      expect(fast.message).toContain(`channel ${connection.channelId}`);
      expect(fast.message).toContain('after 3 consecutive failed requests');
      expect(fast.message).toMatch(/WAHA is tried again from \d{4}-\d\d-\d\dT/);
      // sendText fails fast as well: nothing reached the server.
      expect(
        await failure(client.sendText({ ...connection, chatId: '5511999990001@c.us', text: 'Olá' })),
      ).toMatchObject({ code: 'WAHA.CIRCUIT_OPEN' });
      expect(arrivals).toHaveLength(3);

      // Another channel on the same server has its own breaker.
      fallback = SESSION;
      await expect(client.getSession(other)).resolves.toMatchObject({ status: 'WORKING' });
      expect(arrivals).toHaveLength(4);

      await client.settled();
      expect(store.transitions.map((t) => [t.channelId, t.state])).toEqual([[connection.channelId, 'open']]);
      expect(store.transitions[0]!.lastFailure).toContain('answered 503');

      await new Promise((resolve) => setTimeout(resolve, Math.max(0, openedAt + 450 - Date.now())));
      await expect(client.getSession(connection)).resolves.toMatchObject({ status: 'WORKING' });
      await expect(client.getSession(connection)).resolves.toMatchObject({ status: 'WORKING' });
      expect(arrivals).toHaveLength(6);
      await client.settled();
      expect(store.transitions.map((t) => t.state)).toEqual(['open', 'half_open', 'closed']);
      expect(store.transitions.map((t) => t.changedAt.getTime())).toEqual(
        [...store.transitions.map((t) => t.changedAt.getTime())].sort((a, b) => a - b),
      );
    });

    it('opens again for twice as long (up to the maximum) when the half-open test call fails', async () => {
      const { client, store } = clientWith({
        retry: { attempts: 1 },
        guard: { breakerThreshold: 2, breakerHalfOpenAfterMs: 200, breakerHalfOpenMaxMs: 300 },
      });
      const connection = channel();
      fallback = json(504, { message: 'Gateway Timeout' });
      await failure(client.getSession(connection));
      await failure(client.getSession(connection));
      const first = await failure(client.getSession(connection));
      expect(first).toMatchObject({ code: 'WAHA.CIRCUIT_OPEN' });
      expect(announcedCoolDownMs(first)).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(await failure(client.getSession(connection))).toMatchObject({ code: 'WAHA.SERVER_ERROR', status: 504 });
      const second = await failure(client.getSession(connection));
      expect(second).toMatchObject({ code: 'WAHA.CIRCUIT_OPEN' });
      // 200 ms doubled, capped at the 300 ms maximum.
      expect(announcedCoolDownMs(second)).toBe(300);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await failure(client.getSession(connection))).toMatchObject({ code: 'WAHA.CIRCUIT_OPEN' });
      expect(arrivals).toHaveLength(3);
      await client.settled();
      expect(store.transitions.map((t) => t.state)).toEqual(['open', 'half_open', 'open']);
    });

    it('counts retried attempts: a read whose retries open the breaker ends with WAHA.CIRCUIT_OPEN', async () => {
      const { client } = clientWith();
      fallback = UNAVAILABLE;
      const error = await failure(client.listChats({ ...channel(), limit: 10, offset: 0 }));
      expect(error).toMatchObject({ code: 'WAHA.CIRCUIT_OPEN' });
      expect(error.message).toContain('answered 503');
      expect(arrivals).toHaveLength(3);
    });

    it('does not count 4xx answers (WAHA works; the request or the channel is wrong)', async () => {
      const { client, store } = clientWith({ retry: { attempts: 1 } });
      const connection = channel();
      fallback = json(404, {
        statusCode: 404,
        message: "We didn't find a session with name 'default'.",
        error: 'Not Found',
      });
      for (let i = 0; i < 6; i++)
        expect(await failure(client.getSession(connection))).toMatchObject({ code: 'WAHA.NOT_FOUND' });
      fallback = json(400, { statusCode: 400, message: ['limit must be a number'], error: 'Bad Request' });
      for (let i = 0; i < 6; i++)
        expect(await failure(client.listChats({ ...connection, limit: 1, offset: 0 }))).toMatchObject({
          code: 'WAHA.BAD_REQUEST',
        });
      expect(arrivals).toHaveLength(12);
      await client.settled();
      expect(store.transitions).toEqual([]);
    });

    it('keys a connection without a channel id by base URL and session', async () => {
      const { client } = clientWith({ retry: { attempts: 1 } });
      const anonymous: WahaConnection = { baseUrl: `${baseUrl}/`, apiKey: null, session: `anon-${channelCounter++}` };
      fallback = UNAVAILABLE;
      for (let i = 0; i < 3; i++) await failure(client.getSession(anonymous));
      const fast = await failure(client.getSession({ ...anonymous, baseUrl }));
      expect(fast).toMatchObject({ code: 'WAHA.CIRCUIT_OPEN' });
      expect(fast.message).toContain(`WAHA session '${anonymous.session}' at`);
      fallback = SESSION;
      await expect(client.getSession({ ...anonymous, session: `${anonymous.session}-b` })).resolves.toMatchObject({
        status: 'WORKING',
      });
    });

    it('goes on when recording a transition fails (the database is down): the call answers as WAHA did', async () => {
      const failingStore = new MemoryCircuitStore();
      failingStore.failing = true;
      const { client } = clientWith({ retry: { attempts: 1 }, guard: { breakerThreshold: 1 } }, failingStore);
      const connection = channel();
      script = [UNAVAILABLE];
      expect(await failure(client.getSession(connection))).toMatchObject({ code: 'WAHA.SERVER_ERROR' });
      expect(await failure(client.getSession(connection))).toMatchObject({ code: 'WAHA.CIRCUIT_OPEN' });
      await expect(client.settled()).resolves.toBeUndefined();
      expect(failingStore.transitions).toEqual([]);
    });

    it('corrects a row an earlier process left open with the first success of the channel, once', async () => {
      const { client, store } = clientWith();
      const connection = channel();
      await client.getSession(connection);
      await client.getSession(connection);
      await client.settled();
      expect(store.closedIfNot).toEqual([connection.channelId]);
    });
  });

  describe('rate limiter per channel', () => {
    it('spaces the calls of a channel to the configured rate: the third of five comes a second after the first', async () => {
      const { client } = clientWith({ guard: { rateLimitPerSecond: 2 } });
      const connection = channel();
      const answers = await Promise.all(Array.from({ length: 5 }, () => client.getSession(connection)));
      expect(answers).toHaveLength(5);
      const times = arrivals.map((a) => a.at - arrivals[0]!.at);
      expect(times).toHaveLength(5);
      expect(times[2]).toBeGreaterThanOrEqual(900);
      expect(times[4]).toBeGreaterThanOrEqual(1_900);
    });

    it('lets at most WAHA_RATE_LIMIT_MAX_WAIT_MS worth of calls wait; one more fails at once with WAHA.QUEUE_FULL', async () => {
      const { client } = clientWith({ guard: { rateLimitPerSecond: 2, rateLimitMaxWaitMs: 1_000 } });
      const connection = channel();
      const outcomes = await Promise.allSettled(Array.from({ length: 6 }, () => client.getSession(connection)));
      const rejected = outcomes
        .filter((o): o is PromiseRejectedResult => o.status === 'rejected')
        .map((o) => o.reason as WahaError);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(4);
      expect(rejected.map((e) => [e.constructor.name, e.code])).toEqual([
        ['WahaTransientError', 'WAHA.QUEUE_FULL'],
        ['WahaTransientError', 'WAHA.QUEUE_FULL'],
      ]);
      expect(rejected[0]!.message).toContain('rate limiter (2/s');
      expect(arrivals).toHaveLength(4);
    });
  });

  describe('metrics', () => {
    it('counts calls by operation and outcome, times them, and tracks open breakers and transitions, without ids', async () => {
      const { client } = clientWith({
        retry: { attempts: 1 },
        guard: { breakerThreshold: 1, breakerHalfOpenAfterMs: 60_000, breakerHalfOpenMaxMs: 60_000 },
      });
      const before = {
        ok: await metric('crm_waha_calls_total', { operation: 'listChatMessages', outcome: 'ok' }),
        permanent: await metric('crm_waha_calls_total', { operation: 'listChatMessages', outcome: 'permanent_error' }),
        transient: await metric('crm_waha_calls_total', { operation: 'listChatMessages', outcome: 'transient_error' }),
        open: await metric('crm_waha_calls_total', { operation: 'listChatMessages', outcome: 'circuit_open' }),
        openChannels: await metric('crm_waha_circuit_open_channels', {}),
        toOpen: await metric('crm_waha_circuit_transitions_total', { to: 'open' }),
      };
      const request = { ...channel(), chatId: '5511999990001@c.us', limit: 10, offset: 0, sortOrder: 'asc' as const };
      script = [json(200, []), json(404, { statusCode: 404, message: 'Chat not found' }), UNAVAILABLE];
      await client.listChatMessages(request);
      await failure(client.listChatMessages(request));
      await failure(client.listChatMessages(request));
      await failure(client.listChatMessages(request));
      expect(await metric('crm_waha_calls_total', { operation: 'listChatMessages', outcome: 'ok' })).toBe(
        before.ok + 1,
      );
      expect(await metric('crm_waha_calls_total', { operation: 'listChatMessages', outcome: 'permanent_error' })).toBe(
        before.permanent + 1,
      );
      expect(await metric('crm_waha_calls_total', { operation: 'listChatMessages', outcome: 'transient_error' })).toBe(
        before.transient + 1,
      );
      expect(await metric('crm_waha_calls_total', { operation: 'listChatMessages', outcome: 'circuit_open' })).toBe(
        before.open + 1,
      );
      expect(await metric('crm_waha_circuit_open_channels', {})).toBe(before.openChannels + 1);
      expect(await metric('crm_waha_circuit_transitions_total', { to: 'open' })).toBe(before.toOpen + 1);

      const text = await register.metrics();
      expect(text).toContain('crm_waha_call_duration_seconds_bucket{le="0.01",operation="listChatMessages"}');
      const wahaLines = text.split('\n').filter((line) => line.startsWith('waha_'));
      expect(wahaLines.join('\n')).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-|5511999990001|127\.0\.0\.1/);
    });
  });
});
