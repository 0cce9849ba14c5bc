import {
  compareCodePoints,
  compareStoredMessages,
  listChats,
  listMessages,
  listSortedMessages,
  paginate,
  type StoredMessageRef,
} from './queries';
import type { GowsChat, WAMessage } from './types';

const chats: GowsChat[] = [
  { id: '5511999990002@c.us', name: 'Bruno Lima', conversationTimestamp: 1772982000 },
  { id: '120363400000000001@g.us', name: 'Clientes VIP - Acme', conversationTimestamp: 1773064800 },
  { id: '5511999990001@c.us', name: 'Ana Souza', conversationTimestamp: 1773147750 },
  { id: '5511999990003@c.us', name: null, conversationTimestamp: 1773000000 },
];

function msg(seq: number, timestamp: number, fromMe: boolean, ack: 1 | 2 | 3 = 2): StoredMessageRef {
  return { seq, timestamp, message: { id: `m${seq}`, timestamp, fromMe, ack } as WAMessage };
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
    expect(
      listChats(chats, { sortBy: 'conversationTimestamp', sortOrder: 'desc' }).map((c) => c.conversationTimestamp),
    ).toEqual([1773147750, 1773064800, 1773000000, 1772982000]);
    expect(
      listChats(chats, { sortBy: 'conversationTimestamp', sortOrder: 'desc', limit: 2, offset: 1 }).map((c) => c.id),
    ).toEqual(['120363400000000001@g.us', '5511999990003@c.us']);
    expect(listChats(chats, { sortBy: 'name' }).map((c) => c.name)).toEqual([
      null,
      'Ana Souza',
      'Bruno Lima',
      'Clientes VIP - Acme',
    ]);
    expect(listChats(chats, { sortBy: 'name', sortOrder: 'desc' })[0].name).toBe('Clientes VIP - Acme');
  });

  it('paginates with offset beyond the end as an empty page', () => {
    expect(paginate([1, 2, 3], { offset: 3, limit: 2 })).toEqual([]);
    expect(paginate([1, 2, 3], { offset: 1 })).toEqual([2, 3]);
  });
});

describe('chat messages (§2.4)', () => {
  const messages = [
    msg(1, 100, false),
    msg(2, 200, true, 3),
    msg(3, 200, false),
    msg(4, 300, true, 1),
    msg(5, 400, false),
  ];

  it('is newest first unless sortOrder is exactly asc (equal timestamps by arrival)', () => {
    expect(listMessages(messages, { limit: 10 }).map((m) => m.seq)).toEqual([5, 4, 3, 2, 1]);
    expect(listMessages(messages, { limit: 10, sortOrder: 'DESC' }).map((m) => m.seq)).toEqual([5, 4, 3, 2, 1]);
    expect(listMessages(messages, { limit: 10, sortOrder: 'whatever' }).map((m) => m.seq)).toEqual([5, 4, 3, 2, 1]);
    expect(listMessages(messages, { limit: 10, sortOrder: 'asc' }).map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('filters timestamps inclusively and by direction and ack, then pages', () => {
    expect(
      listMessages(messages, { limit: 10, filter: { timestampGte: 200, timestampLte: 300 } }).map((m) => m.seq),
    ).toEqual([4, 3, 2]);
    expect(listMessages(messages, { limit: 10, filter: { timestampGte: 400 } }).map((m) => m.seq)).toEqual([5]);
    expect(listMessages(messages, { limit: 10, filter: { timestampLte: 100 } }).map((m) => m.seq)).toEqual([1]);
    expect(listMessages(messages, { limit: 10, filter: { fromMe: true } }).map((m) => m.seq)).toEqual([4, 2]);
    expect(listMessages(messages, { limit: 10, filter: { fromMe: false } }).map((m) => m.seq)).toEqual([5, 3, 1]);
    expect(listMessages(messages, { limit: 10, filter: { ack: 3 } }).map((m) => m.seq)).toEqual([2]);
    expect(listMessages(messages, { limit: 2, offset: 2 }).map((m) => m.seq)).toEqual([3, 2]);
    expect(listMessages(messages, { limit: 2, offset: 6 })).toEqual([]);
  });
});

describe('chat list order of ids (code points, like the SQL store)', () => {
  it('puts digits before @ and - before digits, unlike localeCompare', () => {
    const ids = ['5521900000001@c.us', '55219000000010@c.us', '5511999990000-1600000000@g.us', '551199999000012@g.us'];
    expect([...ids].sort(compareCodePoints)).toEqual([
      '5511999990000-1600000000@g.us',
      '551199999000012@g.us',
      '55219000000010@c.us',
      '5521900000001@c.us',
    ]);
    const rows = ids.map((id, i) => ({ id, name: null, conversationTimestamp: 100 + (i % 2) }));
    expect(listChats(rows, {}).map((c) => c.id)).toEqual([...ids].sort(compareCodePoints));
    expect(listChats(rows, { sortOrder: 'desc' }).map((c) => c.id)).toEqual([...ids].sort(compareCodePoints).reverse());
    // Ties on the sort field go by id in the same direction.
    expect(listChats(rows, { sortBy: 'conversationTimestamp', sortOrder: 'desc' }).map((c) => c.id)).toEqual([
      '55219000000010@c.us',
      '551199999000012@g.us',
      '5521900000001@c.us',
      '5511999990000-1600000000@g.us',
    ]);
  });
});

describe('pages of a pre-sorted list (binary-searched bounds)', () => {
  // Runs of equal seconds, both directions, and acks: every combination must equal the sorting version.
  const messages: StoredMessageRef[] = [];
  for (let seq = 1; seq <= 60; seq++)
    messages.push(msg(seq, 1000 + Math.floor(seq / 4) * 10, seq % 3 === 0, seq % 5 === 0 ? 3 : 2));
  const sorted = messages.slice().sort(compareStoredMessages);

  it('answers exactly what filtering and sorting everything answers', () => {
    const queries = [];
    for (const sortOrder of [undefined, 'asc', 'desc', 'ASC']) {
      for (const [gte, lte] of [
        [undefined, undefined],
        [1050, undefined],
        [undefined, 1050],
        [1050, 1100],
        [1050, 1050],
        [2000, undefined],
        [undefined, 900],
        [1100, 1050],
      ]) {
        for (const [limit, offset] of [
          [1, 0],
          [7, 0],
          [7, 3],
          [100, 0],
          [5, 58],
          [5, 200],
        ]) {
          for (const fromMe of [undefined, true, false]) {
            queries.push({ limit, offset, sortOrder, filter: { timestampGte: gte, timestampLte: lte, fromMe } });
          }
        }
      }
    }
    for (const query of queries) {
      const expected = paginate(
        messages
          .filter(
            (m) =>
              (query.filter.timestampGte === undefined || m.message.timestamp >= query.filter.timestampGte) &&
              (query.filter.timestampLte === undefined || m.message.timestamp <= query.filter.timestampLte) &&
              (query.filter.fromMe === undefined || m.message.fromMe === query.filter.fromMe),
          )
          .sort((a, b) => (query.sortOrder === 'asc' ? 1 : -1) * compareStoredMessages(a, b)),
        query,
      );
      expect(listSortedMessages(sorted, query).map((m) => m.seq)).toEqual(expected.map((m) => m.seq));
      expect(listMessages(messages.slice().reverse(), query).map((m) => m.seq)).toEqual(expected.map((m) => m.seq));
    }
  });

  it('includes every message of a boundary second on both sides', () => {
    const atBoundary = sorted.filter((m) => m.message.timestamp === 1050).map((m) => m.seq);
    expect(atBoundary.length).toBeGreaterThan(1);
    expect(
      listSortedMessages(sorted, { limit: 100, filter: { timestampLte: 1050 } })
        .slice(0, atBoundary.length)
        .map((m) => m.seq),
    ).toEqual([...atBoundary].reverse());
    expect(
      listSortedMessages(sorted, { limit: 100, sortOrder: 'asc', filter: { timestampGte: 1050 } })
        .slice(0, atBoundary.length)
        .map((m) => m.seq),
    ).toEqual(atBoundary);
  });
});
