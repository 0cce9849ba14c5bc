import { ApplicationFailure } from '@temporalio/common';

/** Failure type for workflow and activity inputs that can never succeed: not retried. */
export const VALIDATION_ERROR = 'ValidationError';

export function invalidInput(field: string, message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`${field}: ${message}`, VALIDATION_ERROR);
}

/** Small validators that run inside the workflow sandbox as well as in Node. */
export function requireInt(value: unknown, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidInput(field, `must be an integer between ${min} and ${max}`);
  }
  return value;
}
