import { createHmac } from 'node:crypto';
import { ValidationError } from '@app/shared';

/** Standard Webhooks secrets are shown as `whsec_<base64 key>`. */
export const SIGNING_SECRET_PREFIX = 'whsec_';
/** Bytes of key in a secret we generate (the spec allows 24 to 64). */
export const SIGNING_SECRET_BYTES = 32;
const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;

declare const encrypted: unique symbol;

/** A signing secret as stored: ciphertext from SecretCipher. The subscription aggregate only ever
 *  holds this form, so the plaintext cannot reach a row, a view or an event by accident. */
export type EncryptedSigningSecret = string & { readonly [encrypted]: true };

/** The HMAC key inside a `whsec_` secret. Throws a ValidationError when the secret is malformed. */
export function signingKeyOf(secret: string, field = 'secret'): Buffer {
  if (!secret.startsWith(SIGNING_SECRET_PREFIX))
    throw new ValidationError(field, `must start with ${SIGNING_SECRET_PREFIX}`);
  const encoded = secret.slice(SIGNING_SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) throw new ValidationError(field, 'must be base64 after the prefix');
  const key = Buffer.from(encoded, 'base64');
  if (key.length < MIN_KEY_BYTES || key.length > MAX_KEY_BYTES) {
    throw new ValidationError(field, `must hold ${MIN_KEY_BYTES} to ${MAX_KEY_BYTES} bytes of key`);
  }
  return key;
}

/** The headers of one signed delivery attempt (Standard Webhooks 1.0, symmetric `v1`). */
export interface WebhookSignatureHeaders {
  /** The event id: the same on every attempt, the receiver's idempotency key. */
  'webhook-id': string;
  /** Unix seconds of this attempt. */
  'webhook-timestamp': string;
  /** `v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>`. */
  'webhook-signature': string;
}

/**
 * Signs one attempt: HMAC-SHA256 over `{msgId}.{timestamp}.{body}` with the key decoded from the
 * `whsec_` secret, base64, prefixed `v1,`. `body` must be the exact bytes sent.
 */
export function signWebhook(
  secret: string,
  msgId: string,
  timestampSeconds: number,
  body: string,
): WebhookSignatureHeaders {
  if (msgId.includes('.')) throw new Error('webhook-id must not contain "."');
  const timestamp = String(Math.floor(timestampSeconds));
  const signature = createHmac('sha256', signingKeyOf(secret)).update(`${msgId}.${timestamp}.${body}`).digest('base64');
  return { 'webhook-id': msgId, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` };
}
