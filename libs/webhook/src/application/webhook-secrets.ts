import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { SecretCipher } from '@app/shared';
import { type EncryptedSigningSecret, SIGNING_SECRET_BYTES, SIGNING_SECRET_PREFIX } from '../domain/webhook-signature';
import { WebhookSecretUnreadableError } from '../domain/webhook.errors';

/** Generates Standard Webhooks signing secrets and keeps them encrypted at rest. */
@Injectable()
export class WebhookSecrets {
  constructor(private readonly cipher: SecretCipher) {}

  /** `whsec_` + base64 of 32 random bytes. */
  generate(): string {
    return `${SIGNING_SECRET_PREFIX}${randomBytes(SIGNING_SECRET_BYTES).toString('base64')}`;
  }

  encrypt(secret: string): EncryptedSigningSecret {
    return this.cipher.encrypt(secret) as EncryptedSigningSecret;
  }

  decrypt(secret: EncryptedSigningSecret, subscriptionId: string): string {
    try {
      return this.cipher.decrypt(secret);
    } catch {
      throw new WebhookSecretUnreadableError(subscriptionId);
    }
  }
}
