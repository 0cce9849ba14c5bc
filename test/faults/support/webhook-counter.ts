import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A tenant's webhook endpoint on 127.0.0.1 that answers 200 (at once, or after `delayMs`) and counts
 *  deliveries per `webhook-id` (the outbox event id): a second delivery of one event is an event
 *  published twice. */
export class WebhookCounter {
  private constructor(
    private readonly server: Server,
    /** Deliveries per event id. */
    readonly deliveries: Map<string, number>,
  ) {}

  static async start({ delayMs = 0 }: { delayMs?: number } = {}): Promise<WebhookCounter> {
    const deliveries = new Map<string, number>();
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const id = String(req.headers['webhook-id'] ?? 'missing');
        setTimeout(() => {
          deliveries.set(id, (deliveries.get(id) ?? 0) + 1);
          res.writeHead(200).end();
        }, delayMs);
      });
    });
    const counter = new WebhookCounter(server, deliveries);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return counter;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  /** Events delivered more than once, with how often. */
  repeated(): string[] {
    return [...this.deliveries.entries()].filter(([, n]) => n > 1).map(([id, n]) => `${id} x${n}`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
