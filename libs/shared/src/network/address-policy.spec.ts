import { AddressPolicy, normaliseAddress, parseCidr, parseCidrList } from './address-policy';

describe('AddressPolicy', () => {
  const policy = new AddressPolicy();

  it.each([
    ['0.0.0.0', '0.0.0.0/8'],
    ['0.1.2.3', '0.0.0.0/8'],
    ['10.0.0.1', '10.0.0.0/8'],
    ['10.255.255.255', '10.0.0.0/8'],
    ['100.64.0.1', '100.64.0.0/10'],
    ['100.127.255.254', '100.64.0.0/10'],
    ['127.0.0.1', '127.0.0.0/8'],
    ['127.255.0.9', '127.0.0.0/8'],
    ['169.254.169.254', '169.254.0.0/16'],
    ['169.254.0.1', '169.254.0.0/16'],
    ['172.16.0.1', '172.16.0.0/12'],
    ['172.31.255.255', '172.16.0.0/12'],
    ['192.168.1.10', '192.168.0.0/16'],
    ['192.0.0.8', '192.0.0.0/24'],
    ['192.0.2.1', '192.0.2.0/24'],
    ['198.18.0.1', '198.18.0.0/15'],
    ['198.51.100.7', '198.51.100.0/24'],
    ['203.0.113.9', '203.0.113.0/24'],
    ['224.0.0.1', '224.0.0.0/4'],
    ['239.255.255.250', '224.0.0.0/4'],
    ['240.0.0.1', '240.0.0.0/4'],
    ['255.255.255.255', 'broadcast'],
  ])('refuses IPv4 %s (%s)', (address, label) => {
    const verdict = policy.check(address);
    expect(verdict.allowed).toBe(false);
    if (!verdict.allowed) expect(verdict.reason).toContain(label);
  });

  it.each([
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['fc00::1', 'fc00::/7'],
    ['fd12:3456:789a::1', 'fc00::/7'],
    ['fe80::1', 'fe80::/10'],
    ['fe80::1%eth0', 'fe80::/10'],
    ['febf::1', 'fe80::/10'],
    ['fec0::1', 'fec0::/10'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['64:ff9b::a00:1', 'NAT64'],
    ['2002:a00:1::1', '6to4'],
    ['100::1', 'discard'],
    ['::a00:1', 'IPv4-compatible'],
    ['[::1]', 'loopback'],
  ])('refuses IPv6 %s (%s)', (address, label) => {
    const verdict = policy.check(address);
    expect(verdict.allowed).toBe(false);
    if (!verdict.allowed) expect(verdict.reason).toContain(label);
  });

  it.each([
    ['::ffff:127.0.0.1', '127.0.0.1', '127.0.0.0/8'],
    ['::ffff:7f00:1', '127.0.0.1', '127.0.0.0/8'],
    ['::FFFF:10.0.0.1', '10.0.0.1', '10.0.0.0/8'],
    ['0:0:0:0:0:ffff:a9fe:a9fe', '169.254.169.254', '169.254.0.0/16'],
    ['::ffff:192.168.0.1', '192.168.0.1', '192.168.0.0/16'],
  ])('judges the IPv4-mapped %s as the IPv4 address %s', (address, ipv4, label) => {
    expect(normaliseAddress(address)).toBe(ipv4);
    const verdict = policy.check(address);
    expect(verdict).toMatchObject({ allowed: false, address: ipv4 });
    if (!verdict.allowed) expect(verdict.reason).toContain(label);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.216.34',
    '172.32.0.1',
    '100.128.0.1',
    '192.169.0.1',
    '2606:4700:4700::1111',
    '2a00:1450:4001::200e',
    '::ffff:8.8.8.8',
  ])('allows the public address %s', (address) => {
    expect(policy.check(address).allowed).toBe(true);
  });

  it('refuses what is not an IP address', () => {
    expect(policy.check('localhost').allowed).toBe(false);
    expect(policy.check('').allowed).toBe(false);
  });

  it('allows blocked addresses named by the allow-list, and only those', () => {
    const allowing = new AddressPolicy(parseCidrList('127.0.0.1/32, 10.20.0.0/16,fd00:1::/32'));
    expect(allowing.check('127.0.0.1').allowed).toBe(true);
    expect(allowing.check('::ffff:127.0.0.1').allowed).toBe(true);
    expect(allowing.check('127.0.0.2').allowed).toBe(false);
    expect(allowing.check('10.20.3.4').allowed).toBe(true);
    expect(allowing.check('10.21.0.1').allowed).toBe(false);
    expect(allowing.check('fd00:1::5').allowed).toBe(true);
    expect(allowing.check('fd00:2::5').allowed).toBe(false);
    expect(allowing.check('169.254.169.254').allowed).toBe(false);
    expect(allowing.check('::1').allowed).toBe(false);
    expect(allowing.check('8.8.8.8').allowed).toBe(true);
  });

  it('parses CIDR lists: bare addresses are single hosts, blanks are ignored, bad entries are named', () => {
    expect(parseCidrList('')).toEqual([]);
    expect(parseCidrList(undefined)).toEqual([]);
    expect(parseCidrList(' 127.0.0.1 , ,::1 ')).toEqual([
      { network: '127.0.0.1', prefix: 32, family: 'ipv4' },
      { network: '::1', prefix: 128, family: 'ipv6' },
    ]);
    expect(parseCidr('10.0.0.0/8')).toEqual({ network: '10.0.0.0', prefix: 8, family: 'ipv4' });
    expect(() => parseCidr('10.0.0.0/33')).toThrow('"10.0.0.0/33"');
    expect(() => parseCidr('example.com/24')).toThrow('"example.com/24"');
    expect(() => parseCidr('10.0.0.0/8/1')).toThrow();
    expect(() => parseCidrList('127.0.0.1/32,nope')).toThrow('"nope"');
  });
});
