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

/**
 * What a key may do, weakest first. Each scope includes the ones before it: `admin` (key
 * management, the Temporal codec) implies `write` (every change), which implies `read`.
 */
export const API_SCOPES = ['read', 'write', 'admin'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export const ApiScopes = {
  isScope(value: unknown): value is ApiScope {
    return typeof value === 'string' && (API_SCOPES as readonly string[]).includes(value);
  },
  /** The scopes a key asked for plus the ones they imply, in API_SCOPES order (stored so). */
  withImplied(scopes: readonly ApiScope[]): ApiScope[] {
    const strongest = Math.max(...scopes.map((scope) => API_SCOPES.indexOf(scope)));
    return API_SCOPES.slice(0, strongest + 1);
  },
  /** Whether a key holding `granted` may call a route that requires `required`. */
  grants(granted: readonly ApiScope[], required: ApiScope): boolean {
    return granted.some((scope) => API_SCOPES.indexOf(scope) >= API_SCOPES.indexOf(required));
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

/** The key a request authenticated with. */
export interface AuthenticatedApiKey {
  id: string;
  tenantId: string;
  scopes: ApiScope[];
}

/** A key as listed: never its secret, only the prefix. */
export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiScope[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** A key just created: the one answer that carries the plaintext. */
export interface CreatedApiKeyView extends ApiKeyView {
  key: string;
}
