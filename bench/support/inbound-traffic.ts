import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { signWahaBody } from '@app/inbound';
import { buildMessage } from '../../apps/waha-simulator/src/waha/message-factory';
import { newEventId } from '../../apps/waha-simulator/src/waha/ids';
import {
  type MeInfo,
  WAHA_ENGINE,
  WAHA_ENVIRONMENT,
  type WahaWebhookEnvelope,
} from '../../apps/waha-simulator/src/waha/types';

/** A channel the benchmark posts to, as the REST API created it. */
export interface BenchChannel {
  mode: 'saga' | 'direct';
  tenantId: string;
  channelId: string;
  webhookSecret: string;
}

/** One posted webhook: what was sent, when (wall clock, epoch ms), and what the receiver answered. */
export interface PostRecord {
  externalId: string;
  phone: string;
  newContact: boolean;
  /** Date.now() just before the request was written (after building and signing the body). */
  postStartEpoch: number;
  /** performance.now() at the same instant, for the HTTP round trip. */
  postStartPerf: number;
  httpMs: number;
  status: number;
  measured: boolean;
  error?: string;
}

const ME: MeInfo = {
  id: '5511999990000@c.us',
  pushName: 'Acme Vendas',
  lid: '987650000000001@lid',
  jid: '5511999990000:12@s.whatsapp.net',
};
const TEXTS = [
  'Oi, tudo bem?',
  'Pode mandar sim, obrigada!',
  'Qual o prazo de entrega?',
  'Tem no tamanho M?',
  'Vou pensar e te aviso',
  'Obrigado!',
];

/** A customer's WAHA `message` webhook (GOWS engine shape, the simulator's own message factory) from
 *  `phone`, WhatsApp time `sentAtSeconds`, envelope time now, signed with the channel's secret. */
export function signedMessageWebhook(
  webhookSecret: string,
  phone: string,
  sentAtSeconds: number,
  text: string,
): { externalId: string; body: string; signature: string } {
  const now = Date.now();
  const payload = buildMessage({
    me: ME,
    chatId: `${phone}@c.us`,
    rawId: randomBytes(16).toString('hex').toUpperCase(),
    timestamp: sentAtSeconds,
    fromMe: false,
    source: 'app',
    pushName: `Cliente ${phone.slice(-4)}`,
    text,
    ack: 2,
  });
  const envelope: WahaWebhookEnvelope = {
    id: newEventId(now),
    timestamp: now,
    event: 'message',
    session: 'default',
    me: ME,
    payload,
    engine: WAHA_ENGINE,
    environment: WAHA_ENVIRONMENT,
  };
  const body = JSON.stringify(envelope);
  return { externalId: payload.id, body, signature: signWahaBody(body, webhookSecret) };
}

/**
 * WAHA `message` webhooks (GOWS engine shape, built with the simulator's own message factory) for one
 * channel: fresh timestamps, unique payload ids, and a contact mix where `newShare` of the messages
 * come from a phone never seen before and the rest from a phone that already wrote (returning).
 */
export class InboundTraffic {
  private readonly phones: string[] = [];
  private counter = 0;

  constructor(
    readonly channel: BenchChannel,
    private readonly newShare: number,
    /** Distinguishes the phone ranges of the two channels (they live in different tenants anyway). */
    private readonly phonePrefix: string,
  ) {}

  get contacts(): number {
    return this.phones.length;
  }

  /** The next message; `forceNew` / `false` pins whether it comes from a new contact. */
  next(forceNew?: boolean): {
    externalId: string;
    phone: string;
    newContact: boolean;
    body: string;
    signature: string;
  } {
    const newContact = this.phones.length === 0 || (forceNew ?? Math.random() < this.newShare);
    let phone: string;
    if (newContact) {
      phone = `${this.phonePrefix}${String(this.counter++).padStart(7, '0')}`;
      this.phones.push(phone);
    } else {
      phone = this.phones[Math.floor(Math.random() * this.phones.length)];
    }
    const hook = signedMessageWebhook(
      this.channel.webhookSecret,
      phone,
      Math.floor(Date.now() / 1_000),
      TEXTS[this.counter % TEXTS.length],
    );
    return { ...hook, phone, newContact };
  }
}

/** POSTs signed webhooks to the receiver over keep-alive connections (one per in-flight request). */
export class WebhookPoster {
  private readonly agent: Agent;
  private readonly url: URL;

  constructor(apiUrl: string, maxSockets: number) {
    this.url = new URL(apiUrl);
    this.agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  /** Builds, signs and posts the next message of `traffic`; never rejects (errors are in the record). */
  async post(traffic: InboundTraffic, measured: boolean, timeoutMs = 30_000, forceNew?: boolean): Promise<PostRecord> {
    const { externalId, phone, newContact, body, signature } = traffic.next(forceNew);
    const postStartEpoch = Date.now();
    const postStartPerf = performance.now();
    const answer = await this.postSigned(traffic.channel.channelId, body, signature, timeoutMs);
    const record: PostRecord = {
      externalId,
      phone,
      newContact,
      postStartEpoch,
      postStartPerf,
      httpMs: performance.now() - postStartPerf,
      status: answer.status,
      measured,
    };
    if (answer.error) record.error = answer.error;
    return record;
  }

  /** POSTs one signed body to the channel's receiver. Never rejects: a network error is status 0,
   *  any answer but 202 comes with `error`. */
  async postSigned(
    channelId: string,
    body: string,
    signature: string,
    timeoutMs = 30_000,
  ): Promise<{ status: number; error?: string }> {
    try {
      const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = request(
          {
            agent: this.agent,
            host: this.url.hostname,
            port: this.url.port,
            method: 'POST',
            path: `/v1/channels/${channelId}/waha/events`,
            headers: {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
              'x-webhook-hmac': signature,
              'x-webhook-hmac-algorithm': 'sha512',
            },
            timeout: timeoutMs,
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
            res.on('error', reject);
          },
        );
        req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
        req.on('error', reject);
        req.end(body);
      });
      return status === 202 ? { status } : { status, error: `HTTP ${status}: ${text.slice(0, 200)}` };
    } catch (err) {
      return { status: 0, error: err instanceof Error ? err.message : String(err) };
    }
  }

  close(): void {
    this.agent.destroy();
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface LoadPhaseResult {
  records: PostRecord[];
  /** performance.now() / Date.now() at the first measured send (target time for the paced phase). */
  measuredStartPerf: number;
  measuredStartEpoch: number;
  /** How late paced sends started against their target time (ms), measured part only. */
  scheduleLagMs: number[];
  /** Why sending stopped before the planned end (the system fell too far behind), if it did. */
  stoppedEarly?: string;
}

/** Live view of the phase: how many of its messages are committed (polled by the caller). */
export interface CommitGauge {
  committed(): number;
}

/**
 * Open loop: message `seq` is due at t0 + seq / rate (absolute schedule, so a slow answer does not
 * push the others back); at most `maxInFlight` requests are outstanding, so an overloaded receiver
 * shows up as schedule lag instead of unbounded sockets. Sending stops early (bounded run time) when
 * more than `maxBacklog` posted messages are not committed yet, or sends run `maxLagMs` late.
 */
export async function runPacedPosts(options: {
  poster: WebhookPoster;
  traffic: InboundTraffic;
  rate: number;
  warmupMs: number;
  durationMs: number;
  maxInFlight: number;
  gauge: CommitGauge;
  maxBacklog: number;
  maxLagMs: number;
}): Promise<LoadPhaseResult> {
  const intervalMs = 1_000 / options.rate;
  const warmupCount = Math.round((options.rate * options.warmupMs) / 1_000);
  const total = warmupCount + Math.round((options.rate * options.durationMs) / 1_000);
  const t0 = performance.now() + 20;
  const epochAtT0 = Date.now() + 20;
  const records: PostRecord[] = [];
  const lags: number[] = [];
  let next = 0;
  let posted = 0;
  let failed = 0;
  let stoppedEarly: string | undefined;
  const sender = async () => {
    for (;;) {
      const seq = next++;
      if (seq >= total || stoppedEarly) return;
      const target = t0 + seq * intervalMs;
      const wait = target - performance.now();
      if (wait > 0.5) await sleep(wait);
      const lag = Math.max(0, performance.now() - target);
      const backlog = posted - failed - options.gauge.committed();
      if (!stoppedEarly && backlog > options.maxBacklog)
        stoppedEarly = `${backlog} accepted messages not committed yet after ${((performance.now() - t0) / 1_000).toFixed(1)} s`;
      if (!stoppedEarly && lag > options.maxLagMs)
        stoppedEarly = `sends ${lag.toFixed(0)} ms behind schedule after ${((performance.now() - t0) / 1_000).toFixed(1)} s`;
      if (stoppedEarly) return;
      const measured = seq >= warmupCount;
      if (measured) lags.push(lag);
      posted += 1;
      const record = await options.poster.post(options.traffic, measured);
      if (record.status !== 202) failed += 1;
      records.push(record);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.maxInFlight) }, sender));
  if (stoppedEarly && !records.some((r) => r.measured)) {
    // Overloaded before the warm-up ended: measure everything that was sent rather than nothing.
    for (const r of records) r.measured = true;
    return {
      records,
      measuredStartPerf: t0,
      measuredStartEpoch: epochAtT0,
      scheduleLagMs: lags,
      stoppedEarly: `${stoppedEarly} (in the warm-up: all sends measured)`,
    };
  }
  const offset = warmupCount * intervalMs;
  return {
    records,
    measuredStartPerf: t0 + offset,
    measuredStartEpoch: epochAtT0 + offset,
    scheduleLagMs: lags,
    stoppedEarly,
  };
}

/**
 * Closed loop: post as fast as the system completes messages, with at most `concurrency` messages in
 * the system (posted and not committed yet; not merely not answered: a saga answers before it commits)
 * for `durationMs` after `warmupMs` unmeasured.
 */
export async function runMaxPosts(options: {
  /** Sends one message (a POST; a floor's no-op) and resolves with its record; never rejects. */
  send: (measured: boolean) => Promise<PostRecord>;
  warmupMs: number;
  durationMs: number;
  concurrency: number;
  maxMessages: number;
  gauge: CommitGauge;
}): Promise<LoadPhaseResult> {
  const start = performance.now();
  const measuredStartPerf = start + options.warmupMs;
  const measuredStartEpoch = Date.now() + options.warmupMs;
  const end = measuredStartPerf + options.durationMs;
  const records: PostRecord[] = [];
  let posted = 0;
  let failed = 0;
  const sender = async () => {
    while (performance.now() < end && posted < options.maxMessages) {
      if (posted - failed - options.gauge.committed() >= options.concurrency) {
        await sleep(2);
        continue;
      }
      posted += 1;
      const record = await options.send(performance.now() >= measuredStartPerf);
      if (record.status !== 202) failed += 1;
      records.push(record);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, sender));
  return { records, measuredStartPerf, measuredStartEpoch, scheduleLagMs: [] };
}
