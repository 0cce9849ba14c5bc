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
