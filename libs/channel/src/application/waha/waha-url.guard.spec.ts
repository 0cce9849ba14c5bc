import { HostNotFoundError, HostResolver, type ResolvedAddress, ValidationError, parseCidrList } from '@app/shared';
import { WahaAddressPolicy } from '../../domain/waha-address-policy';
import { WahaUrlGuard } from './waha-url.guard';

class FakeResolver extends HostResolver {
  constructor(private readonly answers: Record<string, ResolvedAddress[]>) {
    super();
  }
  async resolve(hostname: string): Promise<ResolvedAddress[]> {
    const answer = this.answers[hostname];
    if (!answer) throw new HostNotFoundError(hostname, 'ENOTFOUND');
    return answer;
  }
}

async function refusal(work: Promise<unknown>): Promise<ValidationError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('WahaUrlGuard', () => {
  const resolver = new FakeResolver({
    'waha.example.com': [{ address: '93.184.216.34', family: 4 }],
    'metadata.example.com': [
      { address: '93.184.216.34', family: 4 },
      { address: '169.254.169.254', family: 4 },
    ],
    'waha.cluster.local': [{ address: '10.20.3.4', family: 4 }],
  });
  const publicOnly = new WahaUrlGuard(new WahaAddressPolicy(), resolver);
  const clusterAllowed = new WahaUrlGuard(new WahaAddressPolicy(parseCidrList('10.20.0.0/16')), resolver);

  it.each([
    ['http://127.0.0.1:3000', 'loopback'],
    ['http://[::1]:3000', 'loopback'],
    ['http://169.254.169.254/latest', 'link-local'],
    ['http://10.0.0.8:3000', 'private'],
    ['http://[::ffff:192.168.1.9]:3000', 'private'],
    ['http://0x7f.1:3000', 'loopback'],
    ['http://metadata.example.com', 'resolves to 169.254.169.254'],
    ['http://waha.cluster.local:3000', 'resolves to 10.20.3.4'],
  ])('refuses %s without an allow-list, naming wahaBaseUrl (%s)', async (url, reason) => {
    const error = await refusal(publicOnly.check(url));
    expect(error.field).toBe('wahaBaseUrl');
    expect(error.message).toContain(reason);
    expect(error.message).toContain('WAHA_ALLOWED_CIDRS');
  });

  it('accepts public addresses, allow-listed ones, and names that do not resolve yet (checked again at connect time)', async () => {
    await expect(publicOnly.check('https://waha.example.com/base')).resolves.toBeUndefined();
    await expect(publicOnly.check('https://93.184.216.34')).resolves.toBeUndefined();
    await expect(publicOnly.check('http://waha:3000')).resolves.toBeUndefined();
    await expect(clusterAllowed.check('http://waha.cluster.local:3000')).resolves.toBeUndefined();
    await expect(clusterAllowed.check('http://10.20.9.9:3000')).resolves.toBeUndefined();
    expect((await refusal(clusterAllowed.check('http://10.21.0.1:3000'))).message).toContain('private');
  });

  it('still rejects a malformed URL by its syntax, naming the field it was given', async () => {
    expect((await refusal(publicOnly.check('ftp://waha'))).field).toBe('wahaBaseUrl');
    expect((await refusal(publicOnly.check(42, 'settings.wahaBaseUrl'))).field).toBe('settings.wahaBaseUrl');
  });
});
