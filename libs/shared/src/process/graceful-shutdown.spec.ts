import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { drainHttpServer, waitAtMost } from './graceful-shutdown';

/** A server whose `/slow` requests wait until the test releases them. */
async function slowServer(): Promise<{ server: Server; port: number; arrived: Promise<void>; release: () => void }> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let arrivedResolve!: () => void;
  const arrived = new Promise<void>((resolve) => (arrivedResolve = resolve));
  const server = createServer((req, res) => {
    if (req.url === '/slow') {
      arrivedResolve();
      void released.then(() => res.end('done'));
    } else res.end('fast');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, arrived, release };
}

function get(
  port: number,
  path: string,
): Promise<{ status?: number; body?: string; connection?: string; error?: string }> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode, body, connection: res.headers.connection }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    req.end();
  });
}

describe('drainHttpServer', () => {
  it('stops accepting at once, lets the request in flight finish (closing its connection) and then resolves', async () => {
    const { server, port, arrived, release } = await slowServer();
    const inFlight = get(port, '/slow');
    await arrived;
    const drained = drainHttpServer(server, 10_000);
    expect(await get(port, '/fast')).toEqual({ error: 'ECONNREFUSED' });
    release();
    expect(await inFlight).toEqual({ status: 200, body: 'done', connection: 'close' });
    expect(await drained).toMatchObject({ drained: true });
  });

  it('cuts the connections left when the timeout passes', async () => {
    const { server, port, arrived, release } = await slowServer();
    const inFlight = get(port, '/slow');
    await arrived;
    const result = await drainHttpServer(server, 200);
    expect(result.drained).toBe(false);
    expect(result.ms).toBeGreaterThanOrEqual(190);
    expect((await inFlight).error).toBe('ECONNRESET');
    release();
  });
});

describe('waitAtMost', () => {
  it('answers true when the work settles in time, resolved or rejected', async () => {
    await expect(waitAtMost(Promise.resolve('done'), 1_000)).resolves.toBe(true);
    await expect(waitAtMost(Promise.reject(new Error('failed')), 1_000)).resolves.toBe(true);
  });

  it('answers false when the time runs out first, and a later rejection is not left unhandled', async () => {
    let fail!: (error: Error) => void;
    const work = new Promise<never>((_, reject) => (fail = reject));
    await expect(waitAtMost(work, 20)).resolves.toBe(false);
    fail(new Error('too late'));
    await expect(work).rejects.toThrow('too late');
  });
});
