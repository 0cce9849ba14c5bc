import { ValidationError } from '@app/shared';

/**
 * Why a session ended:
 * - `inactivity`: its deadline (last activity + timeout) passed;
 * - `manual`: an operator closed it;
 * - `saga_rollback`: the inbound-message saga that opened it failed and compensated (only a session
 *   without messages is rolled back: one another message adopted stays active);
 * - `cleanup`: the cleanup schedule closed it because no lifecycle workflow did;
 * - `import`: a history import closed it.
 */
export const SESSION_END_REASONS = ['inactivity', 'manual', 'saga_rollback', 'cleanup', 'import'] as const;
export type SessionEndReason = (typeof SESSION_END_REASONS)[number];

export function isSessionEndReason(value: unknown): value is SessionEndReason {
  return typeof value === 'string' && (SESSION_END_REASONS as readonly string[]).includes(value);
}

export function parseSessionEndReason(value: unknown, field = 'reason'): SessionEndReason {
  if (!isSessionEndReason(value)) throw new ValidationError(field, `must be one of ${SESSION_END_REASONS.join(', ')}`);
  return value;
}

/** Reasons that mean "nobody was active until the deadline": such an end happens at the deadline. */
export const IDLE_END_REASONS: readonly SessionEndReason[] = ['inactivity', 'cleanup'];

export function isIdleEndReason(reason: SessionEndReason): boolean {
  return IDLE_END_REASONS.includes(reason);
}
