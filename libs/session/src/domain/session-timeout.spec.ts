import { ValidationError } from '@app/shared';
import {
  MAX_SESSION_TIMEOUT_SECONDS,
  assertSessionTimeouts,
  isSessionExpiredAt,
  isValidTimeoutSeconds,
  isValidWarningLeadSeconds,
  millisecondsUntilDeadline,
  sessionDeadline,
  sessionWarningAt,
} from './session-timeout';

const LAST = new Date('2025-11-26T10:00:00.123Z');

function fieldOf(fn: () => void): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).field;
  }
  return undefined;
}

describe('session timeout arithmetic', () => {
  describe('sessionDeadline', () => {
    it('adds the timeout to the last activity, keeping the milliseconds', () => {
      expect(sessionDeadline(LAST, 1800).toISOString()).toBe('2025-11-26T10:30:00.123Z');
      expect(sessionDeadline(LAST, 1).getTime()).toBe(LAST.getTime() + 1_000);
    });

    it('crosses day, month and year boundaries in UTC milliseconds, independent of time zones', () => {
      expect(sessionDeadline(new Date('2025-12-31T23:59:30.999Z'), 45).toISOString()).toBe('2026-01-01T00:00:15.999Z');
      // A DST change in some zone does not matter: the arithmetic is on epoch milliseconds.
      expect(sessionDeadline(new Date('2025-03-30T00:30:00.000Z'), 3600).toISOString()).toBe(
        '2025-03-30T01:30:00.000Z',
      );
    });

    it('returns a new Date and leaves its input alone', () => {
      const input = new Date(LAST);
      const deadline = sessionDeadline(input, 60);
      expect(deadline).not.toBe(input);
      expect(input.getTime()).toBe(LAST.getTime());
    });

    it('handles the longest timeout exactly', () => {
      expect(sessionDeadline(LAST, MAX_SESSION_TIMEOUT_SECONDS).getTime() - LAST.getTime()).toBe(30 * 24 * 3600 * 1000);
    });
  });

  describe('sessionWarningAt', () => {
    it('is the lead before the deadline', () => {
      expect(sessionWarningAt(LAST, 1800, 300)?.toISOString()).toBe('2025-11-26T10:25:00.123Z');
      expect(sessionWarningAt(LAST, 2, 1)?.getTime()).toBe(LAST.getTime() + 1_000);
    });

    it('is null without a lead', () => {
      expect(sessionWarningAt(LAST, 1800, null)).toBeNull();
    });
  });

  describe('isSessionExpiredAt', () => {
    const deadline = sessionDeadline(LAST, 60);

    it('is false up to and including the deadline, true one millisecond after it', () => {
      expect(isSessionExpiredAt(LAST, 60, LAST)).toBe(false);
      expect(isSessionExpiredAt(LAST, 60, new Date(deadline.getTime() - 1))).toBe(false);
      expect(isSessionExpiredAt(LAST, 60, deadline)).toBe(false);
      expect(isSessionExpiredAt(LAST, 60, new Date(deadline.getTime() + 1))).toBe(true);
    });

    it('is false for instants before the last activity', () => {
      expect(isSessionExpiredAt(LAST, 60, new Date('2025-11-26T09:00:00.000Z'))).toBe(false);
    });
  });

  describe('millisecondsUntilDeadline', () => {
    it('counts down to zero at the deadline and goes negative after it', () => {
      expect(millisecondsUntilDeadline(LAST, 60, LAST)).toBe(60_000);
      expect(millisecondsUntilDeadline(LAST, 60, new Date(LAST.getTime() + 59_999))).toBe(1);
      expect(millisecondsUntilDeadline(LAST, 60, new Date(LAST.getTime() + 60_000))).toBe(0);
      expect(millisecondsUntilDeadline(LAST, 60, new Date(LAST.getTime() + 61_500))).toBe(-1_500);
    });
  });

  describe('validation', () => {
    it.each([1, 60, 1800, MAX_SESSION_TIMEOUT_SECONDS])('accepts the timeout %p', (value) => {
      expect(isValidTimeoutSeconds(value)).toBe(true);
    });

    it.each([0, -1, 1.5, MAX_SESSION_TIMEOUT_SECONDS + 1, Number.NaN, Infinity, '60', null, undefined])(
      'rejects the timeout %p',
      (value) => {
        expect(isValidTimeoutSeconds(value)).toBe(false);
        expect(fieldOf(() => assertSessionTimeouts(value, null))).toBe('timeoutSeconds');
      },
    );

    it('accepts a lead strictly between 0 and the timeout', () => {
      expect(isValidWarningLeadSeconds(1, 2)).toBe(true);
      expect(isValidWarningLeadSeconds(1799, 1800)).toBe(true);
      expect(() => assertSessionTimeouts(1800, 300)).not.toThrow();
      expect(() => assertSessionTimeouts(1800, null)).not.toThrow();
      expect(() => assertSessionTimeouts(1800, undefined)).not.toThrow();
    });

    it.each([0, -5, 1800, 1801, 2.5, '300'])('rejects the lead %p for a 1800 s timeout', (lead) => {
      expect(isValidWarningLeadSeconds(lead, 1800)).toBe(false);
      expect(fieldOf(() => assertSessionTimeouts(1800, lead))).toBe('warningLeadSeconds');
    });
  });
});
