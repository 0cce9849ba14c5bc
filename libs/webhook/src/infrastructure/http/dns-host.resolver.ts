import { lookup } from 'node:dns/promises';
import { Injectable } from '@nestjs/common';
import { HostNotFoundError, HostResolver, type ResolvedAddress } from '../../application/host-resolver.port';

/** The system resolver (what a connection would use): DNS and the hosts file, every address. */
@Injectable()
export class DnsHostResolver extends HostResolver {
  async resolve(hostname: string): Promise<ResolvedAddress[]> {
    try {
      const addresses = await lookup(hostname, { all: true, verbatim: true });
      return addresses.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'ENOTFOUND' || code === 'ENODATA' || code === 'EAI_NONAME' || code === 'EAI_NODATA') {
        throw new HostNotFoundError(hostname, String(code));
      }
      throw error;
    }
  }
}
