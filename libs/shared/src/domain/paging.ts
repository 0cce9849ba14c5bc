import { ValidationError } from './errors';

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
