import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { failStartup, serveParent } from './inbound-children';
import { summarize, type Summary } from './stats';
import { signedHeaders, webhookBody } from './webhooks-events';

/**
 * Child process of `npm run bench:webhooks`: the floor of the healthy burst. The same HTTP work as
 * the worker's deliveries (one signed POST per delivery, the same body shape and size, the same
 * receivers, keep-alive connections in a LIFO agent like NodeWebhookHttpSender's) done the plainest
 * way: a loop of node:http requests, `concurrency` in flight per receiver, no database, no Temporal.
 * Its own process, like the worker, so it does not share an event loop with the receivers.
 *
 * IPC op `run`: { targets: [{ url, secret, tenantId }], perTarget, concurrency, warmUp } → FloorRun.
 */

export interface FloorTarget {
  url: string;
  secret: string;
  tenantId: string;
}

export interface FloorArgs {
  targets: FloorTarget[];
  /** Measured POSTs per target. */
  perTarget: number;
  /** Requests in flight per target. */
  concurrency: number;
  /** Unmeasured POSTs per target first (connections opened, code warm). */
  warmUp: number;
}

export interface FloorRun {
  posts: number;
  /** Unmeasured POSTs made first (in the CPU window too). */
  warmUpPosts: number;
  errors: number;
  firstError?: string;
  seconds: number;
  perSecond: number;
  /** Request → response, ms. */
  latency: Summary;
  /** Mean body bytes. */
  bodyBytes: number;
}

const agent = new Agent({ keepAlive: true, timeout: 4_000, scheduling: 'lifo' });

function post(url: URL, secret: string, tenantId: string, seq: number): Promise<{ status: number; bytes: number }> {
  const id = randomUUID();
  const body = webhookBody(id, tenantId, seq);
  const headers = { ...signedHeaders(secret, id, body), 'content-length': String(Buffer.byteLength(body)) };
  return new Promise((resolve, reject) => {
    const req = request(
      { hostname: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers, agent },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes: body.length }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function run(
  args: FloorArgs,
  count: number,
  latencies: number[] | undefined,
): Promise<{ errors: number; firstError?: string; bytes: number }> {
  let errors = 0;
  let firstError: string | undefined;
  let bytes = 0;
  let seq = 0;
  await Promise.all(
    args.targets.flatMap((target) => {
      const url = new URL(target.url);
      let left = count;
      return Array.from({ length: args.concurrency }, async () => {
        while (left > 0) {
          left -= 1;
          const started = performance.now();
          try {
            const res = await post(url, target.secret, target.tenantId, seq++);
            bytes += res.bytes;
            if (res.status < 200 || res.status >= 300) throw new Error(`HTTP ${res.status}`);
            latencies?.push(performance.now() - started);
          } catch (err) {
            errors += 1;
            firstError ??= err instanceof Error ? err.message : String(err);
          }
        }
      });
    }),
  );
  return { errors, firstError, bytes };
}

serveParent(
  {
    run: async (raw) => {
      const args = raw as FloorArgs;
      if (args.warmUp > 0) await run(args, args.warmUp, undefined);
      const latencies: number[] = [];
      const started = performance.now();
      const { errors, firstError, bytes } = await run(args, args.perTarget, latencies);
      const seconds = (performance.now() - started) / 1_000;
      const posts = args.perTarget * args.targets.length;
      const result: FloorRun = {
        posts,
        warmUpPosts: args.warmUp * args.targets.length,
        errors,
        firstError,
        seconds,
        perSecond: (posts - errors) / seconds,
        latency: summarize(latencies),
        bodyBytes: bytes / posts,
      };
      return result;
    },
  },
  async () => {
    agent.destroy();
  },
);
try {
  process.send?.({ type: 'ready', data: { pid: process.pid } });
} catch (err) {
  failStartup(err);
}
