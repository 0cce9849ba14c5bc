import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/common/lib/internal-non-workflow';
import { TemporalConfig } from './temporal.config';

/** One translation of our config into SDK connection options, shared by the client (api) and the
 *  worker's NativeConnection: dev server, self-hosted cluster with mTLS, or Temporal Cloud. */
export function connectionOptions(config: TemporalConfig): {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
} {
  const { tls } = config;
  let tlsOption: TLSConfig | boolean | undefined;
  if (tls.enabled) {
    tlsOption = {
      serverNameOverride: tls.serverName,
      serverRootCACertificate: tls.caPath ? readFileSync(tls.caPath) : undefined,
      clientCertPair:
        tls.certPath && tls.keyPath ? { crt: readFileSync(tls.certPath), key: readFileSync(tls.keyPath) } : undefined,
    };
  }
  return { address: config.address, tls: tlsOption, apiKey: config.apiKey };
}
