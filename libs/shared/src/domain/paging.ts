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

/** Keyset cursor over (createdAt, id): stable under concurrent inserts, unlike offsets. */
export interface KeysetPosition {
  createdAt: Date;
  id: string;
}

export function encodeCursor(position: KeysetPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt.toISOString(), position.id])).toString('base64url');
}

export function decodeCursor(cursor: string): KeysetPosition {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const date = new Date(createdAt);
    if (typeof id !== 'string' || Number.isNaN(date.getTime())) throw new Error('bad cursor');
    return { createdAt: date, id };
  } catch {
    throw new ValidationError('cursor', 'is not a cursor returned by this API');
  }
}

/** Builds a page from `limit + 1` fetched rows. */
export function toPage<T extends KeysetPosition, V>(rows: T[], limit: number, view: (row: T) => V): Page<V> {
  const hasMore = rows.length > limit;
  const items = hasMore ? rows.slice(0, limit) : rows;
  const last = items[items.length - 1];
  return { data: items.map(view), nextCursor: hasMore && last ? encodeCursor(last) : null };
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
