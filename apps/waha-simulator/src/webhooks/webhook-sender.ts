import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Scheduler } from '../state/scheduler';
import { SimulatorState } from '../state/simulator-state';
import { HMAC_ALGORITHM, signWebhookBody } from '../waha/hmac';
import { newEventId, newWebhookRequestId } from '../waha/ids';
import { isDelivered, nextRetryDelayMs, parseRetryAfterMs } from '../waha/retry';
import { WAHA_ENGINE, WAHA_ENVIRONMENT, WAHA_VERSION, type WahaWebhookEnvelope } from '../waha/types';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'cancelled';

export interface DeliveryRecord {
  eventId: string;
  event: string;
  url: string;
  requestId: string;
  status: DeliveryStatus;
  /** HTTP status of the last attempt; null after a network error or timeout. */
  statusCode: number | null;
  attempts: number;
  lastError: string | null;
  createdAt: number;
  finishedAt: number | null;
}

interface AttemptResult {
  statusCode: number | null;
  retryAfterMs: number | null;
  error: string | null;
}

const MAX_DELIVERY_LOG = 10_000;

/** Builds WAHA envelopes and POSTs them to the configured target (§3.1, §4.2, §4.3), never blocking the caller. */
@Injectable()
export class WebhookSender implements OnApplicationShutdown {
  private readonly logger = new Logger(WebhookSender.name);
  private readonly httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 64 });
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 64 });
  private readonly inFlight = new Set<() => void>();
  private log: DeliveryRecord[] = [];
  private stopped = false;

  constructor(
    private readonly state: SimulatorState,
    private readonly scheduler: Scheduler,
  ) {}

  /** Creates the event (envelope id `evt_<ulid>`, ms timestamp) and schedules its delivery; returns the envelope. */
  emit<T>(event: string, payload: T): WahaWebhookEnvelope<T> {
    const timestamp = Date.now();
    const envelope: WahaWebhookEnvelope<T> = {
      id: newEventId(timestamp),
      timestamp,
      event,
      session: this.state.sessionName,
      ...(this.state.webhook.metadata ? { metadata: { ...this.state.webhook.metadata } } : {}),
      ...(this.state.authenticatedMe ? { me: { ...this.state.authenticatedMe } } : {}),
      payload,
      engine: WAHA_ENGINE,
      environment: WAHA_ENVIRONMENT,
    };
    const target = this.state.webhook;
    if (!this.stopped && target.url && (target.events.includes('*') || target.events.includes(event))) {
      const body = JSON.stringify(envelope);
      const record: DeliveryRecord = {
        eventId: envelope.id,
        event,
        url: target.url,
        requestId: newWebhookRequestId(timestamp),
        status: 'pending',
        statusCode: null,
        attempts: 0,
        lastError: null,
        createdAt: timestamp,
        finishedAt: null,
      };
      this.log.push(record);
      if (this.log.length > MAX_DELIVERY_LOG) this.log = this.log.slice(-MAX_DELIVERY_LOG);
      const headers = this.headersFor(body, record.requestId, timestamp, target.hmacKey);
      setImmediate(() => {
        void this.deliver(record, body, headers, target.retries, target.retryDelayMs, target.timeoutMs);
      });
    }
    return envelope;
  }

  get deliveries(): readonly DeliveryRecord[] {
    return this.log;
  }

  /** Stops pending retries and in-flight requests (reset); the log is cleared too. */
  cancelAll(): void {
    for (const abort of this.inFlight) abort();
    this.inFlight.clear();
    for (const record of this.log) if (record.status === 'pending') this.finish(record, 'cancelled');
    this.log = [];
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    this.cancelAll();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private headersFor(
    body: string,
    requestId: string,
    timestamp: number,
    hmacKey: string | null,
  ): Record<string, string> {
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'Content-Length': String(Buffer.byteLength(body)),
      'User-Agent': `WAHA/${WAHA_VERSION}`,
      'X-Webhook-Request-Id': requestId,
      'X-Webhook-Timestamp': String(timestamp),
    };
    if (hmacKey) {
      headers['X-Webhook-Hmac'] = signWebhookBody(hmacKey, Buffer.from(body, 'utf8'));
      headers['X-Webhook-Hmac-Algorithm'] = HMAC_ALGORITHM;
    }
    return headers;
  }

  /** Constant policy: 1 attempt + `retries` retries, `delayMs` apart (raised by Retry-After); identical body and headers. */
  private async deliver(
    record: DeliveryRecord,
    body: string,
    headers: Record<string, string>,
    retries: number,
    delayMs: number,
    timeoutMs: number,
  ): Promise<void> {
    for (;;) {
      if (record.status !== 'pending') return;
      record.attempts += 1;
      const result = await this.attempt(record.url, body, headers, timeoutMs);
      if (record.status !== 'pending') return;
      record.statusCode = result.statusCode;
      record.lastError = result.error;
      if (isDelivered(result.statusCode)) {
        this.finish(record, 'delivered');
        return;
      }
      if (record.attempts > retries) {
        this.finish(record, 'failed');
        this.logger.warn(
          `webhook ${record.event} ${record.eventId} dropped after ${record.attempts} attempts: ${result.error ?? `HTTP ${result.statusCode}`}`,
        );
        return;
      }
      const waited = await this.scheduler.sleep(nextRetryDelayMs(delayMs, result.retryAfterMs));
      if (!waited) {
        this.finish(record, 'cancelled');
        return;
      }
    }
  }

  private finish(record: DeliveryRecord, status: DeliveryStatus): void {
    if (record.status !== 'pending') return;
    record.status = status;
    record.finishedAt = Date.now();
  }

  private attempt(
    url: string,
    body: string,
    headers: Record<string, string>,
    timeoutMs: number,
  ): Promise<AttemptResult> {
    return new Promise((resolve) => {
      let settled = false;
      let abort: () => void = () => undefined;
      const settle = (result: AttemptResult) => {
        if (settled) return;
        settled = true;
        this.inFlight.delete(abort);
        resolve(result);
      };
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        settle({ statusCode: null, retryAfterMs: null, error: `invalid webhook URL ${url}` });
        return;
      }
      const secure = target.protocol === 'https:';
      const req = (secure ? httpsRequest : httpRequest)(
        target,
        { method: 'POST', headers, agent: secure ? this.httpsAgent : this.httpAgent },
        (res: IncomingMessage) => {
          res.resume();
          const done = () =>
            settle({
              statusCode: res.statusCode ?? null,
              retryAfterMs: parseRetryAfterMs(res.headers['retry-after']),
              error: null,
            });
          res.once('end', done);
          res.once('error', done);
          res.once('close', done);
        },
      );
      abort = () => {
        req.destroy(new Error('cancelled'));
        settle({ statusCode: null, retryAfterMs: null, error: 'cancelled' });
      };
      this.inFlight.add(abort);
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
      req.once('error', (err) => settle({ statusCode: null, retryAfterMs: null, error: err.message }));
      req.end(body);
    });
  }
}
