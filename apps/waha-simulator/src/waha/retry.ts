/** Parses a `Retry-After` header (delta seconds or an HTTP date) into milliseconds; null when absent or unusable. */
export function parseRetryAfterMs(header: string | string[] | undefined, now: number = Date.now()): number | null {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}

/** WAHA's constant retry policy: the configured delay, raised to the receiver's `Retry-After` when that is longer. */
export function nextRetryDelayMs(configuredDelayMs: number, retryAfterMs: number | null): number {
  return Math.max(configuredDelayMs, retryAfterMs ?? 0);
}

/** Whether a delivery attempt counts as delivered: any 2xx (§3.1). */
export function isDelivered(statusCode: number | null): boolean {
  return statusCode !== null && statusCode >= 200 && statusCode < 300;
}
