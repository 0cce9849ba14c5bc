import {
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  createServer,
} from 'node:http';
import { type AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body, exactly as received. */
  body: string;
  receivedAt: Date;
  /** The client's port: equal ports mean one (kept-alive) connection. */
  remotePort: number;
}

/** How the receiver answers one request: a status and headers (after `delayMs`, default at once), or
 *  never (`hang`). */
export type ReceiverReply =
  { status: number; headers?: Record<string, string>; body?: string; delayMs?: number } | 'hang';

export interface TestWebhookReceiver {
  /** `http://127.0.0.1:<port>` + path. */
  url(path?: string): string;
  readonly received: ReceivedWebhook[];
  /** The most requests it has held unanswered at once. */
  maxConcurrent(): number;
  /** Changes how the next requests are answered. */
  reply(next: ReceiverReply | ((request: ReceivedWebhook) => ReceiverReply)): void;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 (random port) that records what it receives. Answers 200 by default. */
export async function startTestWebhookReceiver(initial: ReceiverReply = { status: 200 }): Promise<TestWebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let replier: (request: ReceivedWebhook) => ReceiverReply = () => initial;
  const hanging = new Set<ServerResponse>();
  let inFlight = 0;
  let maxInFlight = 0;

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: ReceivedWebhook = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        receivedAt: new Date(),
        remotePort: req.socket.remotePort ?? 0,
      };
      received.push(request);
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      res.once('close', () => {
        inFlight -= 1;
      });
      const reply = replier(request);
      if (reply === 'hang') {
        hanging.add(res);
        return;
      }
      const answer = () => {
        res.writeHead(reply.status, reply.headers ?? {});
        res.end(reply.body ?? '');
      };
      if (reply.delayMs) {
        hanging.add(res);
        setTimeout(() => {
          hanging.delete(res);
          if (!res.destroyed) answer();
        }, reply.delayMs);
      } else {
        answer();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: (path = '/hooks') => `http://127.0.0.1:${port}${path}`,
    received,
    maxConcurrent: () => maxInFlight,
    reply(next) {
      replier = typeof next === 'function' ? next : () => next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
