import { lookup } from 'node:dns/promises';
import { Injectable } from '@nestjs/common';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address a connection could use (DNS or the hosts file). */
export abstract class HostResolver {
  /** Throws HostNotFoundError when the name does not resolve. */
  abstract resolve(hostname: string): Promise<ResolvedAddress[]>;
}

export class HostNotFoundError extends Error {
  constructor(
    readonly hostname: string,
    readonly code: string,
  ) {
    super(`host ${hostname} could not be resolved (${code})`);
    this.name = new.target.name;
  }
}

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
