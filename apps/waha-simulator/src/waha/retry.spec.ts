import { isDelivered, nextRetryDelayMs, parseRetryAfterMs } from './retry';

describe('webhook retry policy (§4.3)', () => {
  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfterMs('3')).toBe(3000);
    expect(parseRetryAfterMs(' 0.5 ')).toBe(500);
    expect(parseRetryAfterMs(['2', '9'])).toBe(2000);
    const now = Date.parse('2026-03-10T13:00:00Z');
    expect(parseRetryAfterMs('Tue, 10 Mar 2026 13:00:07 GMT', now)).toBe(7000);
    expect(parseRetryAfterMs('Tue, 10 Mar 2026 12:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfterMs(undefined)).toBeNull();
    expect(parseRetryAfterMs('')).toBeNull();
    expect(parseRetryAfterMs('soon')).toBeNull();
  });

  it('waits the constant delay, raised by Retry-After (max of both)', () => {
    expect(nextRetryDelayMs(2000, null)).toBe(2000);
    expect(nextRetryDelayMs(2000, 1000)).toBe(2000);
    expect(nextRetryDelayMs(2000, 5000)).toBe(5000);
    expect(nextRetryDelayMs(0, null)).toBe(0);
  });

  it('counts only 2xx as delivered', () => {
    expect(isDelivered(200)).toBe(true);
    expect(isDelivered(204)).toBe(true);
    expect(isDelivered(299)).toBe(true);
    expect(isDelivered(301)).toBe(false);
    expect(isDelivered(429)).toBe(false);
    expect(isDelivered(500)).toBe(false);
    expect(isDelivered(null)).toBe(false);
  });
});
