import { ValidationError } from '@app/shared';

/**
 * Timeout arithmetic of a session, as pure functions. Every computation is done in whole
 * milliseconds on Date instants (`getTime()`), and every result is a new Date: no rounding to
 * seconds, no time zones, no wall-clock reads.
 *
 * deadline  = lastActivityAt + timeoutSeconds
 * warningAt = deadline - warningLeadSeconds (no warning without a lead)
 * expired   = now is strictly after the deadline (at the deadline itself the session is still open)
 */

/** Shortest allowed inactivity timeout (tests and demos use seconds; production uses minutes). */
export const MIN_SESSION_TIMEOUT_SECONDS = 1;
/** Longest allowed inactivity timeout: 30 days. */
export const MAX_SESSION_TIMEOUT_SECONDS = 30 * 24 * 60 * 60;

const MS_PER_SECOND = 1_000;

/** The instant a session with this last activity and timeout ends by inactivity. */
export function sessionDeadline(lastActivityAt: Date, timeoutSeconds: number): Date {
  return new Date(lastActivityAt.getTime() + timeoutSeconds * MS_PER_SECOND);
}

/** The instant the timeout warning is due, `warningLeadSeconds` before the deadline; null without a lead. */
export function sessionWarningAt(
  lastActivityAt: Date,
  timeoutSeconds: number,
  warningLeadSeconds: number | null,
): Date | null {
  if (warningLeadSeconds === null) return null;
  return new Date(sessionDeadline(lastActivityAt, timeoutSeconds).getTime() - warningLeadSeconds * MS_PER_SECOND);
}

/** True when `now` is after the deadline. */
export function isSessionExpiredAt(lastActivityAt: Date, timeoutSeconds: number, now: Date): boolean {
  return now.getTime() > sessionDeadline(lastActivityAt, timeoutSeconds).getTime();
}

/** Milliseconds from `now` to the deadline (negative once it has passed). */
export function millisecondsUntilDeadline(lastActivityAt: Date, timeoutSeconds: number, now: Date): number {
  return sessionDeadline(lastActivityAt, timeoutSeconds).getTime() - now.getTime();
}

export function isValidTimeoutSeconds(value: unknown): value is number {
  return (
    Number.isInteger(value) &&
    (value as number) >= MIN_SESSION_TIMEOUT_SECONDS &&
    (value as number) <= MAX_SESSION_TIMEOUT_SECONDS
  );
}

/** A lead is valid when it is a positive whole number of seconds shorter than the timeout, so the
 *  warning falls strictly between the last activity and the deadline. */
export function isValidWarningLeadSeconds(value: unknown, timeoutSeconds: number): value is number {
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) < timeoutSeconds;
}

/** Validates a session's timeout settings; the ValidationError names the offending field. */
export function assertSessionTimeouts(
  timeoutSeconds: unknown,
  warningLeadSeconds: unknown,
): asserts timeoutSeconds is number {
  if (!isValidTimeoutSeconds(timeoutSeconds)) {
    throw new ValidationError(
      'timeoutSeconds',
      `must be a whole number of seconds from ${MIN_SESSION_TIMEOUT_SECONDS} to ${MAX_SESSION_TIMEOUT_SECONDS}`,
    );
  }
  if (
    warningLeadSeconds !== null &&
    warningLeadSeconds !== undefined &&
    !isValidWarningLeadSeconds(warningLeadSeconds, timeoutSeconds)
  ) {
    throw new ValidationError(
      'warningLeadSeconds',
      'must be null or a whole number of seconds from 1 to less than timeoutSeconds',
    );
  }
}
