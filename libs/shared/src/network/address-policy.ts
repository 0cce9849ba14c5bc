import { BlockList, isIP } from 'node:net';

/** Ranges no outbound call (webhooks, WAHA) may reach unless allow-listed: every address that is not
 *  public unicast. */
const BLOCKED_IPV4: readonly (readonly [string, number, string])[] = [
  ['0.0.0.0', 8, 'a "this network" address (0.0.0.0/8)'],
  ['10.0.0.0', 8, 'a private address (10.0.0.0/8)'],
  ['100.64.0.0', 10, 'a carrier-grade NAT address (100.64.0.0/10)'],
  ['127.0.0.0', 8, 'a loopback address (127.0.0.0/8)'],
  ['169.254.0.0', 16, 'a link-local address (169.254.0.0/16, where cloud metadata services live)'],
  ['172.16.0.0', 12, 'a private address (172.16.0.0/12)'],
  ['192.0.0.0', 24, 'an IETF protocol assignment address (192.0.0.0/24)'],
  ['192.0.2.0', 24, 'a documentation address (192.0.2.0/24)'],
  ['192.88.99.0', 24, 'a 6to4 relay anycast address (192.88.99.0/24)'],
  ['192.168.0.0', 16, 'a private address (192.168.0.0/16)'],
  ['198.18.0.0', 15, 'a benchmarking address (198.18.0.0/15)'],
  ['198.51.100.0', 24, 'a documentation address (198.51.100.0/24)'],
  ['203.0.113.0', 24, 'a documentation address (203.0.113.0/24)'],
  ['224.0.0.0', 4, 'a multicast address (224.0.0.0/4)'],
  ['255.255.255.255', 32, 'the broadcast address'],
  ['240.0.0.0', 4, 'a reserved address (240.0.0.0/4)'],
];

const BLOCKED_IPV6: readonly (readonly [string, number, string])[] = [
  ['::', 128, 'the unspecified address (::)'],
  ['::1', 128, 'a loopback address (::1)'],
  ['::', 96, 'an IPv4-compatible address (::/96, deprecated)'],
  ['64:ff9b::', 96, 'a NAT64 address (64:ff9b::/96)'],
  ['64:ff9b:1::', 48, 'a local-use NAT64 address (64:ff9b:1::/48)'],
  ['100::', 64, 'a discard-only address (100::/64)'],
  ['2001:db8::', 32, 'a documentation address (2001:db8::/32)'],
  ['2001::', 23, 'an IETF protocol assignment address (2001::/23)'],
  ['2002::', 16, 'a 6to4 address (2002::/16)'],
  ['fc00::', 7, 'a unique local (private) address (fc00::/7)'],
  ['fe80::', 10, 'a link-local address (fe80::/10)'],
  ['fec0::', 10, 'a site-local address (fec0::/10, deprecated)'],
  ['ff00::', 8, 'a multicast address (ff00::/8)'],
];

/** What the policy says about one address. */
export type AddressVerdict = { allowed: true; address: string } | { allowed: false; address: string; reason: string };

interface Range {
  list: BlockList;
  reason: string;
}

function range(network: string, prefix: number, family: 'ipv4' | 'ipv6', reason: string): Range {
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return { list, reason };
}

const IPV4_RANGES = BLOCKED_IPV4.map(([network, prefix, reason]) => range(network, prefix, 'ipv4', reason));
const IPV6_RANGES = BLOCKED_IPV6.map(([network, prefix, reason]) => range(network, prefix, 'ipv6', reason));

/** A CIDR (`10.1.0.0/16`, `fd00::/8`) or a single address (taken as /32 or /128). */
export interface Cidr {
  network: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

/** Parses an allow-list such as WEBHOOK_ALLOWED_CIDRS or WAHA_ALLOWED_CIDRS: comma-separated CIDRs or
 *  addresses, blanks ignored. Throws an Error naming the bad entry. */
export function parseCidrList(text: string | undefined | null): Cidr[] {
  if (!text) return [];
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .map(parseCidr);
}

export function parseCidr(entry: string): Cidr {
  const [address = '', prefixText, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) throw new Error(`"${entry}" is not an IP address or CIDR`);
  const family = version === 4 ? 'ipv4' : 'ipv6';
  const max = version === 4 ? 32 : 128;
  if (prefixText === undefined) return { network: address, prefix: max, family };
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max)
    throw new Error(`"${entry}" has an invalid prefix length (0 to ${max})`);
  return { network: address, prefix: Number(prefixText), family };
}

/**
 * Decides which addresses an outbound call may connect to (SSRF protection): every public unicast
 * address, plus whatever the allow-list names. Each caller has its own allow-list (webhooks and WAHA
 * each have one), hence one subclass per caller as its injection token. Refused: loopback, private, link-local (incl. cloud metadata
 * 169.254.169.254), CGNAT, 0/8, multicast, broadcast, reserved and documentation ranges, and the
 * IPv6 equivalents (::1, ::, fc00::/7, fe80::/10, ...). An IPv4-mapped IPv6 address
 * (`::ffff:10.0.0.1`, `::ffff:a00:1`) is judged as the IPv4 address it carries.
 */
export class AddressPolicy {
  private readonly allowList = new BlockList();
  private readonly hasAllowList: boolean;

  constructor(allowed: readonly Cidr[] = []) {
    for (const cidr of allowed) this.allowList.addSubnet(cidr.network, cidr.prefix, cidr.family);
    this.hasAllowList = allowed.length > 0;
  }

  check(rawAddress: string): AddressVerdict {
    const address = normaliseAddress(rawAddress);
    const version = isIP(address);
    if (version === 0) return { allowed: false, address: rawAddress, reason: 'not an IP address' };
    const family = version === 4 ? 'ipv4' : 'ipv6';
    if (this.hasAllowList && this.allowList.check(address, family)) return { allowed: true, address };
    const blocked = (version === 4 ? IPV4_RANGES : IPV6_RANGES).find((r) => r.list.check(address, family));
    return blocked ? { allowed: false, address, reason: blocked.reason } : { allowed: true, address };
  }

  /** The first refused address of a host's addresses, or null when every one is allowed (a host
   *  is usable only when all of them are: the resolver may answer any of them next time). */
  firstRefused(addresses: readonly string[]): Extract<AddressVerdict, { allowed: false }> | null {
    for (const address of addresses) {
      const verdict = this.check(address);
      if (!verdict.allowed) return verdict;
    }
    return null;
  }
}

/** Strips an IPv6 zone (`fe80::1%eth0`) and turns an IPv4-mapped IPv6 address into its IPv4 form. */
export function normaliseAddress(raw: string): string {
  const address = raw
    .trim()
    .replace(/^\[|\]$/g, '')
    .replace(/%.*$/, '');
  if (isIP(address) !== 6) return address;
  const mapped = ipv4MappedPart(address);
  return mapped ?? address.toLowerCase();
}

/** `::ffff:1.2.3.4` or `::ffff:102:304` (and their long forms) → `1.2.3.4`; null otherwise. */
function ipv4MappedPart(address: string): string | null {
  const words = ipv6Words(address);
  if (!words) return null;
  const isMapped = words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff;
  if (!isMapped) return null;
  const high = words[6]!;
  const low = words[7]!;
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/** The eight 16-bit words of a valid IPv6 address (already checked with isIP). */
function ipv6Words(address: string): number[] | null {
  let text = address.toLowerCase();
  const tail: number[] = [];
  const dotted = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    tail.push((a << 8) | b, (c << 8) | d);
    text = text.slice(0, dotted.index);
    if (text.endsWith(':') && !text.endsWith('::')) text = text.slice(0, -1);
  }
  const [headText, tailText] = text.includes('::') ? text.split('::') : [text, undefined];
  const parse = (part: string | undefined) =>
    part
      ? part
          .split(':')
          .filter((w) => w.length > 0)
          .map((w) => parseInt(w, 16))
      : [];
  const head = parse(headText);
  const middleTail = [...parse(tailText), ...tail];
  if (tailText === undefined && !text.includes('::')) {
    const all = [...head, ...tail];
    return all.length === 8 ? all : null;
  }
  const zeros = 8 - head.length - middleTail.length;
  if (zeros < 0) return null;
  return [...head, ...new Array<number>(zeros).fill(0), ...middleTail];
}
