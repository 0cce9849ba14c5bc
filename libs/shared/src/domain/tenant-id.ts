import { ValidationError } from './errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** Throws a ValidationError naming `field` unless `value` is a UUID. */
export function assertUuid(value: unknown, field: string): asserts value is string {
  if (!isUuid(value)) throw new ValidationError(field, 'must be a UUID');
}
