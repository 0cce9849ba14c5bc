import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { SecretCipher } from '@app/shared';
import { type EncryptedSecret, parseWebhookSecret } from '../domain/channel-secrets';

/** Random bytes in a generated webhook secret (hex-encoded: 64 characters). */
const WEBHOOK_SECRET_BYTES = 32;

/** A stored channel secret that cannot be decrypted: the data was written under another
 *  SECRETS_ENCRYPTION_KEY, or was tampered with. An operations problem, not a client error. */
export class ChannelSecretUnreadableError extends Error {
  constructor(
    readonly channelId: string,
    readonly field: 'wahaApiKey' | 'webhookSecret',
  ) {
    super(`channel ${channelId}: the stored ${field} cannot be decrypted (was SECRETS_ENCRYPTION_KEY changed?)`);
    this.name = new.target.name;
  }
}

/** Encrypts channel secrets for storage and decrypts them for the few callers that need them. */
@Injectable()
export class ChannelSecrets {
  constructor(private readonly cipher: SecretCipher) {}

  /** 32 random bytes, hex: what the operator configures as WAHA's `hmac.key`. */
  generateWebhookSecret(): string {
    return randomBytes(WEBHOOK_SECRET_BYTES).toString('hex');
  }

  /** The webhook secret the caller chose (checked), or a generated one when it chose none. */
  webhookSecretFrom(requested: unknown): string {
    return requested === undefined || requested === null ? this.generateWebhookSecret() : parseWebhookSecret(requested);
  }

  encrypt(plaintext: string): EncryptedSecret {
    return this.cipher.encrypt(plaintext) as EncryptedSecret;
  }

  decrypt(secret: EncryptedSecret, channelId: string, field: 'wahaApiKey' | 'webhookSecret'): string {
    try {
      return this.cipher.decrypt(secret);
    } catch {
      throw new ChannelSecretUnreadableError(channelId, field);
    }
  }

  /** Whether `stored` holds `plaintext` (both null counts). A stored value that cannot be decrypted
   *  holds nothing, so it can always be replaced. */
  holds(stored: EncryptedSecret | null, plaintext: string | null): boolean {
    if (stored === null || plaintext === null) return stored === null && plaintext === null;
    try {
      return this.cipher.decrypt(stored) === plaintext;
    } catch {
      return false;
    }
  }
}
