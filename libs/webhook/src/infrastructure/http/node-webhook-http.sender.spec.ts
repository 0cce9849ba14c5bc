import { HostNotFoundError, HostResolver, type ResolvedAddress, parseCidrList } from '@app/shared';
import { WebhookAddressPolicy } from '../../domain/webhook-address-policy';
import { type TestWebhookReceiver, startTestWebhookReceiver } from '../../testing';
import { NodeWebhookHttpSender } from './node-webhook-http.sender';

/** A name server we control: answers can change between calls, as in DNS rebinding. */
class ScriptedResolver extends HostResolver {
  readonly asked: string[] = [];
  constructor(private answer: (hostname: string) => string[]) {
    super();
  }
  set(answer: (hostname: string) => string[]): void {
    this.answer = answer;
  }
  async resolve(hostname: string): Promise<ResolvedAddress[]> {
    this.asked.push(hostname);
    const addresses = this.answer(hostname);
    if (addresses.length === 0) throw new HostNotFoundError(hostname, 'ENOTFOUND');
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  }
}

describe('NodeWebhookHttpSender (real HTTP on 127.0.0.1)', () => {
  let receiver: TestWebhookReceiver;
  const allowLoopback = new WebhookAddressPolicy(parseCidrList('127.0.0.1/32'));
  const publicOnly = new WebhookAddressPolicy();
  const post = (sender: NodeWebhookHttpSender, url: string, timeoutMs = 2_000) =>
    sender.post({
      url,
      headers: { 'content-type': 'application/json', 'webhook-id': 'msg_1' },
      body: '{"a":1}',
      timeoutMs,
    });

  beforeAll(async () => {
    receiver = await startTestWebhookReceiver();
  });
  afterAll(() => receiver.close());
  beforeEach(() => {
    receiver.received.length = 0;
    receiver.reply({ status: 200 });
  });

  it('POSTs the exact body with the given headers and answers the status', async () => {
    const sender = new NodeWebhookHttpSender(allowLoopback, new ScriptedResolver(() => []));
    const result = await post(sender, receiver.url('/in?k=1'));
    expect(result).toMatchObject({ kind: 'response', statusCode: 200, retryAfter: null });
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]).toMatchObject({ method: 'POST', path: '/in?k=1', body: '{"a":1}' });
    expect(receiver.received[0]!.headers).toMatchObject({
      'content-type': 'application/json',
      'webhook-id': 'msg_1',
      'content-length': '7',
    });
  });

  it('keeps the connection alive: consecutive posts to one endpoint share a socket until closed', async () => {
    const sender = new NodeWebhookHttpSender(allowLoopback, new ScriptedResolver(() => []));
    try {
      await post(sender, receiver.url('/a'));
      await post(sender, receiver.url('/b'));
      expect(receiver.received.map((r) => r.path)).toEqual(['/a', '/b']);
      expect(receiver.received[1]!.remotePort).toBe(receiver.received[0]!.remotePort);
    } finally {
      sender.onModuleDestroy();
    }
    // A closed sender's pool is gone: the next sender opens a new connection.
    const next = new NodeWebhookHttpSender(allowLoopback, new ScriptedResolver(() => []));
    await post(next, receiver.url('/c'));
    next.onModuleDestroy();
    expect(receiver.received[2]!.remotePort).not.toBe(receiver.received[0]!.remotePort);
  });

  it('refuses a blocked IP literal without connecting', async () => {
    const sender = new NodeWebhookHttpSender(publicOnly, new ScriptedResolver(() => []));
    const result = await post(sender, receiver.url());
    expect(result).toMatchObject({ kind: 'blocked', message: expect.stringContaining('loopback') });
    expect(receiver.received).toHaveLength(0);
  });

  it('checks the addresses it connects to: a name that rebinds to a blocked address is refused at connect time', async () => {
    // At registration the name answered a public address; now it answers loopback.
    const resolver = new ScriptedResolver(() => ['93.184.216.34']);
    const sender = new NodeWebhookHttpSender(publicOnly, resolver);
    resolver.set(() => ['127.0.0.1']);
    const port = new URL(receiver.url()).port;
    const result = await post(sender, `http://rebind.webhook.test:${port}/hooks`);
    expect(result).toMatchObject({
      kind: 'blocked',
      message: expect.stringContaining('rebind.webhook.test resolves to 127.0.0.1, a loopback address'),
    });
    expect(resolver.asked).toContain('rebind.webhook.test');
    expect(receiver.received).toHaveLength(0);
  });

  it('refuses when any one of several addresses is blocked', async () => {
    const sender = new NodeWebhookHttpSender(allowLoopback, new ScriptedResolver(() => ['127.0.0.1', '10.0.0.1']));
    const port = new URL(receiver.url()).port;
    expect(await post(sender, `http://multi.webhook.test:${port}/hooks`)).toMatchObject({
      kind: 'blocked',
      message: expect.stringContaining('10.0.0.1'),
    });
    expect(receiver.received).toHaveLength(0);
  });

  it('connects through its own lookup: a name only our resolver knows reaches the allow-listed receiver', async () => {
    const sender = new NodeWebhookHttpSender(allowLoopback, new ScriptedResolver(() => ['127.0.0.1']));
    const port = new URL(receiver.url()).port;
    expect(await post(sender, `http://receiver.webhook.test:${port}/hooks`)).toMatchObject({
      kind: 'response',
      statusCode: 200,
    });
    expect(receiver.received[0]!.headers.host).toBe(`receiver.webhook.test:${port}`);
  });

  it('does not follow redirects', async () => {
    receiver.reply((request) =>
      request.path === '/hooks' ? { status: 302, headers: { location: '/elsewhere' } } : { status: 200 },
    );
    const sender = new NodeWebhookHttpSender(allowLoopback, new ScriptedResolver(() => []));
    expect(await post(sender, receiver.url())).toMatchObject({ kind: 'response', statusCode: 302 });
    expect(receiver.received.map((r) => r.path)).toEqual(['/hooks']);
  });

  it('gives up after the timeout', async () => {
    receiver.reply('hang');
    const sender = new NodeWebhookHttpSender(allowLoopback, new ScriptedResolver(() => []));
    const result = await post(sender, receiver.url(), 300);
    expect(result.kind).toBe('timeout');
    expect(result.durationMs).toBeGreaterThanOrEqual(290);
    expect(result.durationMs).toBeLessThan(2_000);
  });

  it('reports network errors and unresolvable names', async () => {
    const sender = new NodeWebhookHttpSender(allowLoopback, new ScriptedResolver(() => []));
    expect(await post(sender, 'http://127.0.0.1:1/hooks')).toMatchObject({
      kind: 'network',
      message: expect.stringContaining('ECONNREFUSED'),
    });
    expect(await post(sender, 'http://nowhere.webhook.test/hooks')).toMatchObject({
      kind: 'network',
      message: expect.stringContaining('ENOTFOUND'),
    });
  });

  it('passes Retry-After through', async () => {
    receiver.reply({ status: 429, headers: { 'retry-after': '2' } });
    const sender = new NodeWebhookHttpSender(allowLoopback, new ScriptedResolver(() => []));
    expect(await post(sender, receiver.url())).toMatchObject({ kind: 'response', statusCode: 429, retryAfter: '2' });
  });
});
