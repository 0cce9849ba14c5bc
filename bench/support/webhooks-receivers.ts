import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { type AddressInfo, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Webhook } from 'standardwebhooks';

/** One request as a receiver saw it: enough to measure, never the body (except for verification samples). */
export interface Receipt {
  /** webhook-id (the event id). */
  id: string;
  /** performance.now() when the whole request had arrived (same clock as the producer's commits). */
  at: number;
}

/**
 * A loopback webhook endpoint for the benchmark. `healthy`: answers 204 as soon as the request has
 * arrived and records it. `hanging`: reads the request and never answers (every attempt runs into
 * WEBHOOK_TIMEOUT_MS at the sender). The first `verifySamples` requests of a healthy receiver are
 * checked with the official standardwebhooks library once its secret is known.
 */
export class BenchReceiver {
  readonly receipts: Receipt[] = [];
  /** First receipt time per webhook-id (duplicates are counted, not re-recorded). */
  readonly firstAt = new Map<string, number>();
  duplicates = 0;
  requests = 0;
  /** Sum of the request bodies' content-length (every request). */
  bodyBytes = 0;
  /** Most connections open at once since the last `resetPeak()`: the sender's concurrency toward this
   *  endpoint (its keep-alive pool grows to the requests it has in flight at once). */
  peakSockets = 0;
  verified = 0;
  verifyFailures: string[] = [];
  private readonly samples: { body: string; headers: Record<string, string> }[] = [];
  private readonly sockets = new Set<Socket>();
  private secret: string | undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    readonly name: string,
    readonly kind: 'healthy' | 'hanging',
    private readonly server: Server,
    readonly url: string,
    private readonly verifySamples: number,
  ) {}

  static async start(name: string, kind: 'healthy' | 'hanging', verifySamples = 20): Promise<BenchReceiver> {
    const handlers: { handle?: (req: IncomingMessage, res: ServerResponse) => void } = {};
    const server = createServer((req: IncomingMessage, res: ServerResponse) => handlers.handle!(req, res));
    server.keepAliveTimeout = 1_000;
    // Hanging requests must not be cut short by the server's own timeouts: the sender's timeout decides.
    server.requestTimeout = 0;
    server.headersTimeout = 0;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', 1_024, resolve));
    const { port } = server.address() as AddressInfo;
    const receiver = new BenchReceiver(name, kind, server, `http://127.0.0.1:${port}/hooks/${name}`, verifySamples);
    handlers.handle = (req, res) => receiver.handle(req, res);
    server.on('connection', (socket: Socket) => {
      receiver.sockets.add(socket);
      receiver.peakSockets = Math.max(receiver.peakSockets, receiver.sockets.size);
      socket.on('close', () => receiver.sockets.delete(socket));
    });
    return receiver;
  }

  /** The subscription's signing secret: verifies the kept samples and every later one. */
  useSecret(secret: string): void {
    this.secret = secret;
    for (const sample of this.samples.splice(0)) this.verify(sample);
  }

  /** Starts a new peak-connections window at the connections open now. */
  resetPeak(): void {
    this.peakSockets = this.sockets.size;
  }

  /** Receipts of one event id (first time), or undefined. */
  receivedAt(id: string): number | undefined {
    return this.firstAt.get(id);
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
    return this.closing;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    const wantBody = this.kind === 'healthy' && this.requests < this.verifySamples;
    this.requests += 1;
    this.bodyBytes += Number(req.headers['content-length'] ?? 0);
    req.on('data', (chunk: Buffer) => {
      if (wantBody) chunks.push(chunk);
    });
    req.on('end', () => {
      const at = performance.now();
      if (this.kind === 'hanging') return; // never answers
      const id = String(req.headers['webhook-id'] ?? '');
      if (this.firstAt.has(id)) this.duplicates += 1;
      else this.firstAt.set(id, at);
      this.receipts.push({ id, at });
      res.writeHead(204);
      res.end();
      if (wantBody) {
        const sample = { body: Buffer.concat(chunks).toString('utf8'), headers: req.headers as Record<string, string> };
        if (this.secret) this.verify(sample);
        else this.samples.push(sample);
      }
    });
  }

  private verify(sample: { body: string; headers: Record<string, string> }): void {
    try {
      const payload = new Webhook(this.secret!).verify(sample.body, sample.headers) as { id?: string };
      if (payload.id !== sample.headers['webhook-id'])
        throw new Error(`payload id ${payload.id} != webhook-id ${sample.headers['webhook-id']}`);
      this.verified += 1;
    } catch (err) {
      this.verifyFailures.push(err instanceof Error ? err.message : String(err));
    }
  }
}
