import { ValidationError } from './errors';
import { isUuid } from './tenant-id';

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface PageRequest {
  limit: number;
  cursor?: string;
}

/**
 * Keyset cursor over (createdAt, id): stable under concurrent inserts, unlike offsets. `createdAt` is
 * the row's `created_at` exactly as the database holds it, as ISO-8601 UTC text with up to six
 * fractional digits: Postgres keeps microseconds, a JS Date only milliseconds, and a position cut to
 * the millisecond skips the rows created later within that millisecond.
 */
export interface KeysetPosition {
  createdAt: string;
  id: string;
}

/** A listed item with its keyset position (read with it from the database). */
export interface Positioned<T> {
  item: T;
  position: KeysetPosition;
}

/** `2026-01-02T03:04:05Z` to `2026-01-02T03:04:05.123456Z`: what the database renders (six digits)
 *  and what cursors issued before microsecond positions carry (three). */
const EXACT_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

export function encodeCursor(position: KeysetPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id])).toString('base64url');
}

/** The position a cursor names. Cursors issued before positions were exact (milliseconds) are still
 *  accepted; they page as they did. Anything else is a ValidationError naming `cursor`. */
export function decodeCursor(cursor: string): KeysetPosition {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (
      typeof id !== 'string' ||
      typeof createdAt !== 'string' ||
      !EXACT_TIMESTAMP.test(createdAt) ||
      Number.isNaN(Date.parse(createdAt))
    ) {
      throw new Error('bad cursor');
    }
    return { createdAt, id };
  } catch {
    throw new ValidationError('cursor', 'is not a cursor returned by this API');
  }
}

/** Builds a page from `limit + 1` fetched rows. */
export function toPage<T, V>(rows: Positioned<T>[], limit: number, view: (item: T) => V): Page<V> {
  const hasMore = rows.length > limit;
  const items = hasMore ? rows.slice(0, limit) : rows;
  const last = items[items.length - 1];
  return { data: items.map((row) => view(row.item)), nextCursor: hasMore && last ? encodeCursor(last.position) : null };
}

export const PAGE_DEFAULT_LIMIT = 50;
export const PAGE_MAX_LIMIT = 200;

/** The page size asked for, checked: 1 to 200, 50 when absent. */
export function pageLimit(limit: number | undefined): number {
  const value = limit ?? PAGE_DEFAULT_LIMIT;
  if (!Number.isInteger(value) || value < 1 || value > PAGE_MAX_LIMIT) {
    throw new ValidationError('limit', `must be an integer from 1 to ${PAGE_MAX_LIMIT}`);
  }
  return value;
}

/** The keyset position a cursor names (over uuid ids), or undefined for the first page. */
export function keysetAfter(cursor: string | undefined): KeysetPosition | undefined {
  if (!cursor) return undefined;
  const position = decodeCursor(cursor);
  if (!isUuid(position.id)) throw new ValidationError('cursor', 'is not a cursor returned by this API');
  return position;
}
