import { isIP } from 'node:net';
import { Injectable } from '@nestjs/common';
import { HostNotFoundError, HostResolver, ValidationError } from '@app/shared';
import { parseWahaBaseUrl } from '../../domain/channel-settings';
import { WahaAddressPolicy } from '../../domain/waha-address-policy';

const ALLOW_HINT = 'WAHA servers must be at public addresses unless WAHA_ALLOWED_CIDRS lists them';

/**
 * Checks a channel's WAHA base URL before it is stored (SSRF protection, first line): the URL's
 * syntax, and every address its host resolves to must be allowed by the WahaAddressPolicy. A name
 * that does not resolve (yet) is accepted: WAHA often runs under a name only its cluster knows, and
 * the WAHA client checks the addresses again at every connection, so nothing refused is reached.
 */
@Injectable()
export class WahaUrlGuard {
  constructor(
    private readonly policy: WahaAddressPolicy,
    private readonly resolver: HostResolver,
  ) {}

  /** Nothing when the URL may be used; a ValidationError naming `field` and the reason otherwise. */
  async check(url: unknown, field = 'wahaBaseUrl'): Promise<void> {
    const parsed = new URL(parseWahaBaseUrl(url, field));
    const host = parsed.hostname.startsWith('[') ? parsed.hostname.slice(1, -1) : parsed.hostname;
    if (isIP(host) !== 0) {
      const verdict = this.policy.check(host);
      if (!verdict.allowed) {
        const shown = verdict.address === host ? host : `${host} (${verdict.address})`;
        throw new ValidationError(field, `${shown} is ${verdict.reason}; ${ALLOW_HINT}`);
      }
      return;
    }
    let addresses;
    try {
      addresses = await this.resolver.resolve(host);
    } catch (error) {
      if (error instanceof HostNotFoundError) return;
      throw error;
    }
    const refused = this.policy.firstRefused(addresses.map((a) => a.address));
    if (refused)
      throw new ValidationError(field, `host ${host} resolves to ${refused.address}, ${refused.reason}; ${ALLOW_HINT}`);
  }
}
