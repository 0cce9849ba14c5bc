import { createHash, randomBytes } from 'node:crypto';

const PREFIX = 'crm_';

/** API keys are random, shown once, and stored only as a SHA-256 hash (they carry 256 bits of
 *  entropy, so a slow password hash buys nothing). The visible prefix helps people tell keys apart. */
export const ApiKeySecret = {
  generate(): string {
    return PREFIX + randomBytes(32).toString('base64url');
  },
  hash(plaintext: string): string {
    return createHash('sha256').update(plaintext, 'utf8').digest('hex');
  },
  displayPrefix(plaintext: string): string {
    return plaintext.slice(0, PREFIX.length + 6);
  },
  looksValid(plaintext: string): boolean {
    return plaintext.length >= 16 && plaintext.length <= 200;
  },
};

export interface TenantView {
  id: string;
  name: string;
  createdAt: string;
}

export interface IssuedApiKey {
  tenant: TenantView;
  apiKeyId: string;
  /** Shown once; never stored. */
  apiKey: string;
}
