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

/** `GET /api/{session}/chats` on GOWS: sort field `id` and ascending order when omitted (§2.2). */
export function listChats(chats: readonly GowsChat[], query: ChatListQuery): GowsChat[] {
  const field = query.sortBy ?? 'id';
  const direction = query.sortOrder === 'desc' ? -1 : 1;
  const value = (chat: GowsChat): string | number =>
    field === 'conversationTimestamp' ? chat.conversationTimestamp : field === 'name' ? (chat.name ?? '') : chat.id;
  const sorted = [...chats].sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    const primary = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
    return direction * (primary !== 0 ? primary : a.id.localeCompare(b.id));
  });
  return paginate(sorted, query);
}

export interface StoredMessageRef {
  /** Insertion order, the tie-breaker between equal timestamps. */
  seq: number;
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

/** `GET /api/{session}/chats/{chatId}/messages`: filter, sort by timestamp (then arrival), slice (§2.4). */
export function listMessages<T extends StoredMessageRef>(messages: readonly T[], query: MessageListQuery): T[] {
  const direction = query.sortOrder === 'asc' ? 1 : -1;
  const sorted = messages
    .filter((m) => matchesFilter(m.message, query.filter))
    .sort((a, b) => direction * (a.message.timestamp - b.message.timestamp || a.seq - b.seq));
  return paginate(sorted, query);
}

/** The newest message of a chat (timestamp, then arrival), or undefined for an empty chat. */
export function latestOf<T extends StoredMessageRef>(messages: readonly T[]): T | undefined {
  let latest: T | undefined;
  for (const m of messages) {
    if (!latest || m.message.timestamp > latest.message.timestamp || (m.message.timestamp === latest.message.timestamp && m.seq > latest.seq)) latest = m;
  }
  return latest;
}
