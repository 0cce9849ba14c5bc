import type { Ack, GowsChat, WAMessage } from './types';

export type SortOrder = 'asc' | 'desc';

export interface Page {
  limit?: number;
  offset?: number;
}

/** Offset/limit slice; no limit = everything from the offset. */
export function paginate<T>(items: readonly T[], page: Page): T[] {
  const offset = Math.max(0, page.offset ?? 0);
  return page.limit === undefined ? items.slice(offset) : items.slice(offset, offset + page.limit);
}

export type ChatSortField = 'conversationTimestamp' | 'id' | 'name';

export interface ChatListQuery extends Page {
  sortBy?: ChatSortField;
  sortOrder?: SortOrder;
}

/** Code-point order, as GOWS's SQL store compares jids (`…0@c.us` after `…00@c.us`, `-` before digits);
 *  `localeCompare` would put `@` before the digits. */
export function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `GET /api/{session}/chats` on GOWS: sort field `id` and ascending order when omitted (§2.2);
 *  ties on the sort field go by id in the same direction. */
export function listChats(chats: readonly GowsChat[], query: ChatListQuery): GowsChat[] {
  const field = query.sortBy ?? 'id';
  const direction = query.sortOrder === 'desc' ? -1 : 1;
  const sorted = [...chats].sort((a, b) => {
    let primary = 0;
    if (field === 'conversationTimestamp') primary = a.conversationTimestamp - b.conversationTimestamp;
    else if (field === 'name') primary = (a.name ?? '').localeCompare(b.name ?? '');
    return direction * (primary !== 0 ? primary : compareCodePoints(a.id, b.id));
  });
  return paginate(sorted, query);
}

export interface StoredMessageRef {
  /** Insertion order, the tie-breaker between equal timestamps. */
  seq: number;
  /** `message.timestamp`, kept beside it: sorting and time bounds must not read `message`, which a
   *  loaded data set builds only when first read. */
  timestamp: number;
  message: WAMessage;
}

export interface MessageFilter {
  /** Unix seconds, inclusive. */
  timestampGte?: number;
  /** Unix seconds, inclusive. */
  timestampLte?: number;
  fromMe?: boolean;
  ack?: Ack;
}

export interface MessageListQuery extends Page {
  /** GOWS: anything but `asc` means newest first. */
  sortOrder?: string;
  filter?: MessageFilter;
}

export function matchesFilter(message: WAMessage, filter: MessageFilter | undefined): boolean {
  if (!filter) return true;
  if (filter.timestampGte !== undefined && message.timestamp < filter.timestampGte) return false;
  if (filter.timestampLte !== undefined && message.timestamp > filter.timestampLte) return false;
  if (filter.fromMe !== undefined && message.fromMe !== filter.fromMe) return false;
  if (filter.ack !== undefined && message.ack !== filter.ack) return false;
  return true;
}

/** Oldest first: timestamp, then arrival. Newest first is exactly the reverse. */
export function compareStoredMessages(a: StoredMessageRef, b: StoredMessageRef): number {
  return a.timestamp - b.timestamp || a.seq - b.seq;
}

/** `GET /api/{session}/chats/{chatId}/messages`: filter, sort by timestamp (then arrival), slice (§2.4). */
export function listMessages<T extends StoredMessageRef>(messages: readonly T[], query: MessageListQuery): T[] {
  return listSortedMessages(messages.slice().sort(compareStoredMessages), query);
}

/** First index whose timestamp is >= `seconds` (or > with `after`), in an oldest-first list. */
function lowerBound(sorted: readonly StoredMessageRef[], seconds: number, after: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const t = sorted[mid].timestamp;
    if (t < seconds || (after && t === seconds)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * listMessages over a list already sorted oldest first (compareStoredMessages): the timestamp bounds
 * are binary searches and only the rows up to offset + limit are visited, so a page of a large chat
 * (or of `chatId=all`) costs about its own size.
 */
export function listSortedMessages<T extends StoredMessageRef>(
  sortedAscending: readonly T[],
  query: MessageListQuery,
): T[] {
  const filter = query.filter;
  const from = filter?.timestampGte === undefined ? 0 : lowerBound(sortedAscending, filter.timestampGte, false);
  const to =
    filter?.timestampLte === undefined
      ? sortedAscending.length
      : lowerBound(sortedAscending, filter.timestampLte, true);
  const offset = Math.max(0, query.offset ?? 0);
  const limit = query.limit ?? Number.POSITIVE_INFINITY;
  const rest: MessageFilter = { fromMe: filter?.fromMe, ack: filter?.ack };
  // Without these filters `message` is not read, so skipped rows of a lazily built store stay unbuilt.
  const filtered = rest.fromMe !== undefined || rest.ack !== undefined;
  const page: T[] = [];
  let skipped = 0;
  const ascending = query.sortOrder === 'asc';
  for (let k = 0; k < to - from && page.length < limit; k++) {
    const item = sortedAscending[ascending ? from + k : to - 1 - k];
    if (filtered && !matchesFilter(item.message, rest)) continue;
    if (skipped < offset) skipped++;
    else page.push(item);
  }
  return page;
}
