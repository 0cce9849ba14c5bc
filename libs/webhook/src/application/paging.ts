import { type KeysetPosition, ValidationError, decodeCursor, isUuid } from '@app/shared';

export const WEBHOOK_PAGE_DEFAULT_LIMIT = 50;
export const WEBHOOK_PAGE_MAX_LIMIT = 200;

/** The page size asked for, checked: 1 to 200, 50 when absent. */
export function pageLimit(limit: number | undefined): number {
  const value = limit ?? WEBHOOK_PAGE_DEFAULT_LIMIT;
  if (!Number.isInteger(value) || value < 1 || value > WEBHOOK_PAGE_MAX_LIMIT) {
    throw new ValidationError('limit', `must be an integer from 1 to ${WEBHOOK_PAGE_MAX_LIMIT}`);
  }
  return value;
}

/** The keyset position a cursor names, or undefined for the first page. */
export function keysetAfter(cursor: string | undefined): KeysetPosition | undefined {
  if (!cursor) return undefined;
  const position = decodeCursor(cursor);
  if (!isUuid(position.id)) throw new ValidationError('cursor', 'is not a cursor returned by this API');
  return position;
}
