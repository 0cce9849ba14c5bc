import { createHmac, timingSafeEqual } from 'node:crypto';

export const HMAC_ALGORITHM = 'sha512';

/** `X-Webhook-Hmac`: lower-case hex HMAC-SHA512 of the exact raw body bytes (§4.2). */
export function signWebhookBody(key: string, rawBody: Buffer | string): string {
  return createHmac(HMAC_ALGORITHM, key).update(rawBody).digest('hex');
}

/** Constant-time check of a received signature against the raw body, as a receiver must do it. */
export function verifyWebhookSignature(key: string, rawBody: Buffer | string, signature: string): boolean {
  const expected = Buffer.from(signWebhookBody(key, rawBody), 'hex');
  const given = Buffer.from(signature.trim().toLowerCase(), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
