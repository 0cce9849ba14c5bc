import { ValidationError } from '@app/shared';

declare const encrypted: unique symbol;

/**
 * A secret as stored: ciphertext produced by the application layer (AES-GCM, see SecretCipher).
 * The aggregate carries only this form, so a plaintext secret can never reach an event, a view or
 * a row by accident; only the handlers that must hand a secret out decrypt it.
 */
export type EncryptedSecret = string & { readonly [encrypted]: true };

export const WEBHOOK_SECRET_MIN_LENGTH = 16;
export const WEBHOOK_SECRET_MAX_LENGTH = 256;
export const WAHA_API_KEY_MAX_LENGTH = 512;

/** Printable ASCII without spaces: what fits safely into WAHA's `hmac.key` and an HTTP header. */
const PRINTABLE_NO_SPACE = /^[\x21-\x7e]+$/;

/** A webhook HMAC secret chosen by the operator: 16 to 256 printable ASCII characters, no spaces. */
export function parseWebhookSecret(value: unknown, field = 'webhookSecret'): string {
  if (typeof value !== 'string') throw new ValidationError(field, 'must be a string');
  if (value.length < WEBHOOK_SECRET_MIN_LENGTH || value.length > WEBHOOK_SECRET_MAX_LENGTH) {
    throw new ValidationError(field, `must be ${WEBHOOK_SECRET_MIN_LENGTH} to ${WEBHOOK_SECRET_MAX_LENGTH} characters`);
  }
  if (!PRINTABLE_NO_SPACE.test(value))
    throw new ValidationError(field, 'must contain only printable ASCII characters without spaces');
  return value;
}

/** The key WAHA expects in `X-Api-Key`; `null` (or blank) means the WAHA server needs none. */
export function parseWahaApiKey(value: unknown, field = 'wahaApiKey'): string | null {
  if (value === null) return null;
  if (typeof value !== 'string') throw new ValidationError(field, 'must be a string or null');
  const trimmed = value.trim();
  if (trimmed.length === 0) return null;
  if (trimmed.length > WAHA_API_KEY_MAX_LENGTH)
    throw new ValidationError(field, `must be at most ${WAHA_API_KEY_MAX_LENGTH} characters`);
  if (!PRINTABLE_NO_SPACE.test(trimmed))
    throw new ValidationError(field, 'must contain only printable ASCII characters without spaces');
  return trimmed;
}
