import { listChats, listMessages, paginate, type StoredMessageRef } from './queries';
import type { GowsChat, WAMessage } from './types';

const chats: GowsChat[] = [
  { id: '5511999990002@c.us', name: 'Bruno Lima', conversationTimestamp: 1772982000 },
  { id: '120363400000000001@g.us', name: 'Clientes VIP - Acme', conversationTimestamp: 1773064800 },
  { id: '5511999990001@c.us', name: 'Ana Souza', conversationTimestamp: 1773147750 },
  { id: '5511999990003@c.us', name: null, conversationTimestamp: 1773000000 },
];

function msg(seq: number, timestamp: number, fromMe: boolean, ack: 1 | 2 | 3 = 2): StoredMessageRef {
  return { seq, message: { id: `m${seq}`, timestamp, fromMe, ack } as WAMessage };
}

describe('chat list (§2.2)', () => {
  it('defaults to id ascending like GOWS', () => {
    expect(listChats(chats, {}).map((c) => c.id)).toEqual([
      '120363400000000001@g.us',
      '5511999990001@c.us',
      '5511999990002@c.us',
      '5511999990003@c.us',
    ]);
  });

  it('sorts by conversationTimestamp or name in either order, then pages', () => {
    expect(listChats(chats, { sortBy: 'conversationTimestamp', sortOrder: 'desc' }).map((c) => c.conversationTimestamp)).toEqual([
      1773147750, 1773064800, 1773000000, 1772982000,
    ]);
    expect(listChats(chats, { sortBy: 'conversationTimestamp', sortOrder: 'desc', limit: 2, offset: 1 }).map((c) => c.id)).toEqual([
      '120363400000000001@g.us',
      '5511999990003@c.us',
    ]);
    expect(listChats(chats, { sortBy: 'name' }).map((c) => c.name)).toEqual([null, 'Ana Souza', 'Bruno Lima', 'Clientes VIP - Acme']);
    expect(listChats(chats, { sortBy: 'name', sortOrder: 'desc' })[0].name).toBe('Clientes VIP - Acme');
  });

  it('paginates with offset beyond the end as an empty page', () => {
    expect(paginate([1, 2, 3], { offset: 3, limit: 2 })).toEqual([]);
    expect(paginate([1, 2, 3], { offset: 1 })).toEqual([2, 3]);
  });
});

describe('chat messages (§2.4)', () => {
  const messages = [msg(1, 100, false), msg(2, 200, true, 3), msg(3, 200, false), msg(4, 300, true, 1), msg(5, 400, false)];

  it('is newest first unless sortOrder is exactly asc (equal timestamps by arrival)', () => {
    expect(listMessages(messages, { limit: 10 }).map((m) => m.seq)).toEqual([5, 4, 3, 2, 1]);
    expect(listMessages(messages, { limit: 10, sortOrder: 'DESC' }).map((m) => m.seq)).toEqual([5, 4, 3, 2, 1]);
    expect(listMessages(messages, { limit: 10, sortOrder: 'whatever' }).map((m) => m.seq)).toEqual([5, 4, 3, 2, 1]);
    expect(listMessages(messages, { limit: 10, sortOrder: 'asc' }).map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('filters timestamps inclusively and by direction and ack, then pages', () => {
    expect(listMessages(messages, { limit: 10, filter: { timestampGte: 200, timestampLte: 300 } }).map((m) => m.seq)).toEqual([4, 3, 2]);
    expect(listMessages(messages, { limit: 10, filter: { timestampGte: 400 } }).map((m) => m.seq)).toEqual([5]);
    expect(listMessages(messages, { limit: 10, filter: { timestampLte: 100 } }).map((m) => m.seq)).toEqual([1]);
    expect(listMessages(messages, { limit: 10, filter: { fromMe: true } }).map((m) => m.seq)).toEqual([4, 2]);
    expect(listMessages(messages, { limit: 10, filter: { fromMe: false } }).map((m) => m.seq)).toEqual([5, 3, 1]);
    expect(listMessages(messages, { limit: 10, filter: { ack: 3 } }).map((m) => m.seq)).toEqual([2]);
    expect(listMessages(messages, { limit: 2, offset: 2 }).map((m) => m.seq)).toEqual([3, 2]);
    expect(listMessages(messages, { limit: 2, offset: 6 })).toEqual([]);
  });
});
