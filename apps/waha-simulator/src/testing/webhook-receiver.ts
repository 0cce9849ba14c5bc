import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhookSignature } from '../waha/hmac';
import type { WahaWebhookEnvelope } from '../waha/types';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  /** The exact bytes received (what the HMAC covers). */
  rawBody: Buffer;
  body: WahaWebhookEnvelope<Record<string, unknown>>;
  receivedAt: number;
  /** What this request was answered with. */
  answeredStatus: number;
}

export interface WebhookReply {
  status: number;
  headers?: Record<string, string>;
  /** Answer only after this long (a slow receiver). */
  delayMs?: number;
}

/** Decides the reply per request; the default accepts everything with 200. */
export type WebhookResponder = (request: {
  body: WahaWebhookEnvelope<Record<string, unknown>>;
  headers: IncomingHttpHeaders;
  attempt: number;
}) => WebhookReply;

/** A real HTTP receiver on 127.0.0.1 for webhook tests: records every request, answers as told. */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  responder: WebhookResponder = () => ({ status: 200 });
  private readonly attempts = new Map<string, number>();
  private server?: Server;
  url = '';

  async start(path = '/webhooks/waha'): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const rawBody = Buffer.concat(chunks);
        let body: WahaWebhookEnvelope<Record<string, unknown>>;
        try {
          body = JSON.parse(rawBody.toString('utf8')) as WahaWebhookEnvelope<Record<string, unknown>>;
        } catch {
          res.writeHead(400).end();
          return;
        }
        const requestId = String(req.headers['x-webhook-request-id'] ?? '');
        const attempt = (this.attempts.get(requestId) ?? 0) + 1;
        this.attempts.set(requestId, attempt);
        const reply = this.responder({ body, headers: req.headers, attempt });
        this.received.push({
          headers: req.headers,
          rawBody,
          body,
          receivedAt: Date.now(),
          answeredStatus: reply.status,
        });
        const answer = () => {
          res.writeHead(reply.status, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
          res.end(JSON.stringify({ ok: reply.status < 300 }));
        };
        if (reply.delayMs) setTimeout(answer, reply.delayMs);
        else answer();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
    return this;
  }

  /** Requests for `event` (including retries). */
  ofEvent(event: string): ReceivedWebhook[] {
    return this.received.filter((r) => r.body.event === event);
  }

  /** Polls until `predicate` holds over what was received. */
  async waitFor<T>(
    pick: (received: ReceivedWebhook[]) => T | undefined | false,
    timeoutMs = 5000,
    what = 'webhook',
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = pick(this.received);
      if (value !== undefined && value !== false) return value;
      if (Date.now() > deadline)
        throw new Error(
          `${what} not received within ${timeoutMs} ms (got ${this.received.map((r) => r.body.event).join(', ') || 'nothing'})`,
        );
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  signatureValid(webhook: ReceivedWebhook, key: string): boolean {
    const signature = webhook.headers['x-webhook-hmac'];
    return typeof signature === 'string' && verifyWebhookSignature(key, webhook.rawBody, signature);
  }

  clear(): void {
    this.received.length = 0;
    this.attempts.clear();
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
