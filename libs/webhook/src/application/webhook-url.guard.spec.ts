import {
  DnsHostResolver,
  HostNotFoundError,
  HostResolver,
  type ResolvedAddress,
  ValidationError,
  parseCidrList,
} from '@app/shared';
import { WebhookAddressPolicy } from '../domain/webhook-address-policy';
import { WebhookUrlGuard } from './webhook-url.guard';

/** A resolver answering from a table (a name server we control); unknown names do not resolve. */
class TableResolver extends HostResolver {
  constructor(private readonly table: Record<string, string[]>) {
    super();
  }
  async resolve(hostname: string): Promise<ResolvedAddress[]> {
    const addresses = this.table[hostname];
    if (!addresses) throw new HostNotFoundError(hostname, 'ENOTFOUND');
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  }
}

async function rejectionOf(promise: Promise<unknown>): Promise<ValidationError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('WebhookUrlGuard', () => {
  const resolver = new TableResolver({
    'hooks.example.com': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
    'internal.example.com': ['10.0.0.5'],
    'mixed.example.com': ['93.184.216.34', '192.168.1.20'],
    'metadata.example.com': ['169.254.169.254'],
    'mapped.example.com': ['::ffff:127.0.0.1'],
    'v6local.example.com': ['fd00::1'],
    'empty.example.com': [],
  });
  const strict = new WebhookUrlGuard({ allowHttp: false }, new WebhookAddressPolicy(), resolver);
  const lenient = new WebhookUrlGuard(
    { allowHttp: true },
    new WebhookAddressPolicy(parseCidrList('127.0.0.1/32,10.0.0.0/24')),
    resolver,
  );

  it('accepts https URLs whose every address is public, normalised', async () => {
    await expect(strict.check(' https://HOOKS.example.com/crm?x=1 ')).resolves.toBe(
      'https://hooks.example.com/crm?x=1',
    );
    await expect(strict.check('https://93.184.216.34:8443/in')).resolves.toBe('https://93.184.216.34:8443/in');
  });

  it('requires https unless WEBHOOK_ALLOW_HTTP', async () => {
    const error = await rejectionOf(strict.check('http://hooks.example.com/crm'));
    expect(error.field).toBe('url');
    expect(error.message).toBe('url: must use https');
    await expect(lenient.check('http://hooks.example.com/crm')).resolves.toBe('http://hooks.example.com/crm');
  });

  it.each([
    ['https://127.0.0.1/x', '127.0.0.1 is a loopback address'],
    ['https://10.1.2.3/x', 'a private address (10.0.0.0/8)'],
    ['https://169.254.169.254/latest/meta-data', 'link-local'],
    ['https://[::1]/x', 'loopback'],
    ['https://[fe80::1]/x', 'link-local'],
    ['https://[::ffff:10.0.0.1]/x', '(10.0.0.1) is a private address'],
    ['https://0x7f.1/x', '127.0.0.1 is a loopback address'],
    ['https://2130706433/x', '127.0.0.1 is a loopback address'],
    ['https://0.0.0.0/x', '"this network"'],
    [
      'https://internal.example.com/x',
      'host internal.example.com resolves to 10.0.0.5, a private address (10.0.0.0/8)',
    ],
    ['https://mixed.example.com/x', 'resolves to 192.168.1.20'],
    ['https://metadata.example.com/x', '169.254.169.254'],
    ['https://mapped.example.com/x', 'resolves to 127.0.0.1, a loopback address'],
    ['https://v6local.example.com/x', 'unique local'],
    ['https://nowhere.example.com/x', 'does not resolve'],
    ['https://empty.example.com/x', 'does not resolve'],
  ])('refuses %s with a ValidationError naming url (%s)', async (url, reason) => {
    const error = await rejectionOf(strict.check(url));
    expect(error.field).toBe('url');
    expect(error.message).toContain(reason);
  });

  it('lets the allow-list through, and nothing else', async () => {
    await expect(lenient.check('http://127.0.0.1:8080/hooks')).resolves.toBe('http://127.0.0.1:8080/hooks');
    await expect(lenient.check('https://internal.example.com/x')).resolves.toBe('https://internal.example.com/x');
    await expect(lenient.check('https://mapped.example.com/x')).resolves.toBe('https://mapped.example.com/x');
    expect((await rejectionOf(lenient.check('http://127.0.0.2/'))).field).toBe('url');
    expect((await rejectionOf(lenient.check('https://metadata.example.com/'))).field).toBe('url');
  });

  it('checks what the system resolver answers: localhost is loopback', async () => {
    const system = new WebhookUrlGuard({ allowHttp: true }, new WebhookAddressPolicy(), new DnsHostResolver());
    const error = await rejectionOf(system.check('http://localhost:3000/hooks'));
    expect(error.message).toMatch(/host localhost resolves to (127\.0\.0\.1|::1), a loopback address/);
  });
});
