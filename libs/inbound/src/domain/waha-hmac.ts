import { createHmac, timingSafeEqual } from 'node:crypto';

/** WAHA signs the exact raw body: lower-case hex HMAC-SHA512 in `X-Webhook-Hmac`. */
export function signWahaBody(rawBody: Buffer | string, secret: string): string {
  return createHmac('sha512', secret).update(rawBody).digest('hex');
}

/** Constant-time check of `X-Webhook-Hmac` against the raw body bytes. */
export function verifyWahaSignature(rawBody: Buffer, secret: string, signature: string | undefined): boolean {
  if (!signature || !/^[0-9a-fA-F]{128}$/.test(signature)) return false;
  const expected = Buffer.from(signWahaBody(rawBody, secret), 'hex');
  return timingSafeEqual(expected, Buffer.from(signature.toLowerCase(), 'hex'));
}
