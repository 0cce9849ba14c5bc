import { ValidationError } from '@app/shared';

/** `active` until the session ends; an ended session is never reopened. */
export const SESSION_STATUSES = ['active', 'ended'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

export function isSessionStatus(value: unknown): value is SessionStatus {
  return typeof value === 'string' && (SESSION_STATUSES as readonly string[]).includes(value);
}

export function parseSessionStatus(value: unknown, field = 'status'): SessionStatus {
  if (!isSessionStatus(value)) throw new ValidationError(field, `must be one of ${SESSION_STATUSES.join(', ')}`);
  return value;
}
