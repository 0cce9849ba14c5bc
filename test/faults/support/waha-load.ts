import { randomBytes } from 'node:crypto';
import { signWahaBody } from '@app/inbound';
import { buildMessage } from '../../../apps/waha-simulator/src/waha/message-factory';
import { newEventId } from '../../../apps/waha-simulator/src/waha/ids';
import { type MeInfo, WAHA_ENGINE, WAHA_ENVIRONMENT } from '../../../apps/waha-simulator/src/waha/types';
import { sleep } from './managed-process';

const ME: MeInfo = {
  id: '5511999990000@c.us',
  pushName: 'Acme Vendas',
  lid: '987650000000001@lid',
  jid: '5511999990000:12@s.whatsapp.net',
};

/** How a message's id and sender are spelled in one delivery: WAHA's current `{fromMe}_{chat}_{id}`
 *  with `@c.us`, or the 2025 GOWS shape with a bare id and `@s.whatsapp.net` (waha-api.md §5). */
export type IdShape = 'prefixed' | 'bare';
export type WahaEvent = 'message' | 'message.any';

/** One customer message the load sends (one or more deliveries of it). */
export interface LoadMessage {
  rawId: string;
  phone: string;
  /** The first delivery answered 2xx, if any. */
  answered?: { status: number; at: number; attempts: number };
  /** Deliveries that gave up (retries exhausted): what they last saw. */
  gaveUp: string[];
  deliveries: number;
}

export interface LoadOptions {
  /** Receivers to spread the deliveries over (round robin): one per api process. */
  apiUrls: string[];
  channel: { id: string; webhookSecret: string };
  concurrency: number;
  /** WAHA's constant retry policy: delay and attempts after the first. */
  retryDelayMs: number;
  retries: number;
  requestTimeoutMs?: number;
}

/**
 * WAHA as the receiver sees it: signed `message`/`message.any` webhooks (HMAC-SHA512 of the raw body
 * with the channel's secret, X-Webhook-Hmac), each delivery retried on a non-2xx answer, a timeout or
 * a network error after a constant delay, like WAHA's default policy. It keeps, per message, whether
 * and when a delivery was answered 2xx: the messages the system owes us.
 */
export class WahaLoad {
  readonly messages: LoadMessage[] = [];
  private next = 0;
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];
  /** Answers by status (and `network` for errors and timeouts), over every attempt. */
  readonly answers = new Map<string, number>();
  private attemptsTotal = 0;
  /** Every HTTP attempt: when it started and ended, and its answer. */
  readonly attemptLog: Array<{ startedAt: number; endedAt: number; status: number | 'network' }> = [];

  constructor(private readonly options: LoadOptions) {}

  /** `count` messages from `contacts` customers whose phones start with `phonePrefix` (13 digits in all). */
  static plan(count: number, contacts: number, phonePrefix: string): LoadMessage[] {
    const phones = Array.from(
      { length: contacts },
      (_, i) => `${phonePrefix}${String(i).padStart(13 - phonePrefix.length, '0')}`,
    );
    return Array.from({ length: count }, (_, i) => ({
      rawId: randomBytes(16).toString('hex').toUpperCase(),
      phone: phones[i % phones.length]!,
      gaveUp: [],
      deliveries: 0,
    }));
  }

  get attempts(): number {
    return this.attemptsTotal;
  }

  /** Sends every message once (`message`, prefixed id) and resolves when each delivery has its final outcome. */
  async sendAll(messages: LoadMessage[], onProgress?: (sent: number) => void): Promise<void> {
    this.messages.push(...messages);
    let done = 0;
    await Promise.all(
      messages.map(async (m) => {
        await this.deliver(m, 'message', 'prefixed');
        onProgress?.(++done);
      }),
    );
  }

  /** Delivers one message as one WAHA delivery (its own event id), retrying like WAHA. */
  async deliver(message: LoadMessage, event: WahaEvent, shape: IdShape): Promise<void> {
    message.deliveries++;
    const body = this.envelope(message, event, shape);
    const signature = signWahaBody(body, this.options.channel.webhookSecret);
    let last = '';
    for (let attempt = 1; attempt <= this.options.retries + 1; attempt++) {
      if (attempt > 1) await sleep(this.options.retryDelayMs);
      const { status, text } = await this.post(body, signature);
      this.answers.set(String(status), (this.answers.get(String(status)) ?? 0) + 1);
      if (typeof status === 'number' && status >= 200 && status < 300) {
        message.answered ??= { status, at: Date.now(), attempts: attempt };
        return;
      }
      last = `${status} ${text.slice(0, 200)}`;
    }
    message.gaveUp.push(`${event}/${shape}: last answer ${last} after ${this.options.retries + 1} attempts`);
  }

  private envelope(message: LoadMessage, event: WahaEvent, shape: IdShape): string {
    const now = Date.now();
    const payload = buildMessage({
      me: ME,
      chatId: `${message.phone}@c.us`,
      rawId: message.rawId,
      timestamp: Math.floor(now / 1_000),
      fromMe: false,
      source: 'app',
      pushName: `Cliente ${message.phone.slice(-4)}`,
      text: `fault load ${message.rawId.slice(0, 6)}`,
      ack: 2,
    }) as unknown as Record<string, unknown>;
    if (shape === 'bare') {
      payload.id = message.rawId;
      payload.from = `${message.phone}@s.whatsapp.net`;
    }
    return JSON.stringify({
      id: newEventId(now),
      timestamp: now,
      event,
      session: 'default',
      me: ME,
      payload,
      engine: WAHA_ENGINE,
      environment: WAHA_ENVIRONMENT,
    });
  }

  private async post(body: string, signature: string): Promise<{ status: number | 'network'; text: string }> {
    await this.acquire();
    const url = this.options.apiUrls[this.next++ % this.options.apiUrls.length]!;
    this.attemptsTotal++;
    const startedAt = Date.now();
    const log = (status: number | 'network') => this.attemptLog.push({ startedAt, endedAt: Date.now(), status });
    try {
      const res = await fetch(`${url}/v1/channels/${this.options.channel.id}/waha/events`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-webhook-hmac': signature,
          'x-webhook-hmac-algorithm': 'sha512',
        },
        body,
        signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 10_000),
      });
      const text = await res.text();
      log(res.status);
      return { status: res.status, text };
    } catch (err) {
      log('network');
      return { status: 'network', text: String(err) };
    } finally {
      this.release();
    }
  }

  private async acquire(): Promise<void> {
    if (this.inFlight < this.options.concurrency) {
      this.inFlight++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight--;
  }

  /** Figures of the load for the report. */
  summary(): Record<string, number | string> {
    const answered = this.messages.filter((m) => m.answered).length;
    return {
      'messages sent': this.messages.length,
      deliveries: this.messages.reduce((n, m) => n + m.deliveries, 0),
      'HTTP attempts': this.attemptsTotal,
      'messages answered 2xx': answered,
      'messages never answered 2xx': this.messages.length - answered,
      'deliveries never answered 2xx (WAHA gave up)': this.messages.reduce((n, m) => n + m.gaveUp.length, 0),
      'answers by status': [...this.answers.entries()].map(([s, n]) => `${s}:${n}`).join(' '),
    };
  }
}
