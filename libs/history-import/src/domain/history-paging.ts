/**
 * Paging a chat's history without losing or doubling a message on a boundary second.
 *
 * WAHA pages by offset over a list sorted by timestamp (seconds), with inclusive bounds, and its
 * offsets shift when messages arrive or are revoked meanwhile (waha-api.md 2.4). So the cursor is a
 * keyset on the timestamp, newest first: the next page asks `timestamp <= upTo`, which repeats the
 * messages of second `upTo` already seen; those are recognised by id and skipped. Only when a whole
 * page is made of one second (more messages in one second than a page holds) does the offset grow,
 * within that second. The original stepped to `min(timestamp) - 1` and lost every other message of
 * that second. End of data is an empty page (short pages are not reliable end markers).
 */
export interface HistoryCursor {
  /** Inclusive upper bound (unix seconds) of the next page. */
  upTo: number;
  /** Rows to skip within that bound (only while one second fills whole pages). */
  offset: number;
  /** Ids already taken whose timestamp is `upTo`. */
  seenAtUpTo: string[];
  /** Messages taken so far (for the per-chat limit). */
  taken: number;
  done: boolean;
}

export interface PagedItem {
  id: string;
  timestamp: number;
}

export interface HistoryPageRequest {
  timestampLte: number;
  timestampGte: number | undefined;
  offset: number;
  limit: number;
}

export function firstCursor(rangeEndSeconds: number): HistoryCursor {
  return { upTo: rangeEndSeconds, offset: 0, seenAtUpTo: [], taken: 0, done: false };
}

export function pageRequest(
  cursor: HistoryCursor,
  rangeStartSeconds: number | null,
  pageSize: number,
): HistoryPageRequest {
  return {
    timestampLte: cursor.upTo,
    timestampGte: rangeStartSeconds ?? undefined,
    offset: cursor.offset,
    limit: pageSize,
  };
}

/**
 * What a page means: the items not seen before (in page order, each id once) and the cursor after
 * it. Items outside the bounds (an engine that ignores a filter) are dropped, never counted.
 */
export function advance<T extends PagedItem>(
  cursor: HistoryCursor,
  page: readonly T[],
  options: { rangeStartSeconds: number | null; limit: number | null },
): { fresh: T[]; cursor: HistoryCursor } {
  if (page.length === 0) return { fresh: [], cursor: { ...cursor, done: true } };
  const seen = new Set(cursor.seenAtUpTo);
  const fresh: T[] = [];
  const inPage = new Set<string>();
  let oldest = Number.POSITIVE_INFINITY;
  for (const item of page) {
    oldest = Math.min(oldest, item.timestamp);
    if (item.timestamp > cursor.upTo) continue;
    if (options.rangeStartSeconds !== null && item.timestamp < options.rangeStartSeconds) continue;
    if (item.timestamp === cursor.upTo && seen.has(item.id)) continue;
    if (inPage.has(item.id)) continue;
    inPage.add(item.id);
    fresh.push(item);
  }
  const room = options.limit === null ? fresh.length : Math.max(0, options.limit - cursor.taken);
  const taken = fresh.slice(0, room);
  const total = cursor.taken + taken.length;
  const limitReached = options.limit !== null && total >= options.limit;

  if (oldest >= cursor.upTo) {
    // The whole page is one second: step within it by offset, remembering its ids.
    const seenAtUpTo = [...new Set([...cursor.seenAtUpTo, ...page.map((i) => i.id)])];
    return {
      fresh: taken,
      cursor: { upTo: cursor.upTo, offset: cursor.offset + page.length, seenAtUpTo, taken: total, done: limitReached },
    };
  }
  // Next page: everything up to the oldest second of this one, whose ids are now seen.
  const seenAtUpTo = [...new Set(page.filter((i) => i.timestamp === oldest).map((i) => i.id))];
  const passedBelowStart = options.rangeStartSeconds !== null && oldest < options.rangeStartSeconds;
  return {
    fresh: taken,
    cursor: { upTo: oldest, offset: 0, seenAtUpTo, taken: total, done: limitReached || passedBelowStart },
  };
}

/** A stored cursor, checked: anything else starts the chat again (duplicates are skipped by id). */
export function readCursor(value: unknown): HistoryCursor | null {
  if (typeof value !== 'object' || value === null) return null;
  const c = value as Record<string, unknown>;
  if (
    typeof c.upTo !== 'number' ||
    typeof c.offset !== 'number' ||
    typeof c.taken !== 'number' ||
    typeof c.done !== 'boolean'
  )
    return null;
  if (!Array.isArray(c.seenAtUpTo) || !c.seenAtUpTo.every((id) => typeof id === 'string')) return null;
  return { upTo: c.upTo, offset: c.offset, seenAtUpTo: c.seenAtUpTo as string[], taken: c.taken, done: c.done };
}
