import {
  buildHistoryDataSet,
  countSessions,
  type HistoryChat,
  type HistoryMessage,
  SESSION_GAP_SECONDS,
} from './history-dataset';
import { MESSAGE_ID_PATTERN } from './ids';
import { SEED_ANCHOR_SECONDS } from './seed';

/** A chat's items as the messages endpoint serves them: newest first, equal seconds by arrival, newest first. */
const served = (chat: HistoryChat): HistoryMessage[] => chat.items.map((i) => i.message).reverse();
const allMessages = (chats: HistoryChat[]) =>
  chats.flatMap((c) => c.items.filter((i) => !i.twin).map((i) => i.message));

describe('history data set', () => {
  const dataSet = buildHistoryDataSet({ chats: 30, messagesPerChat: 210, seed: 11 });
  const { chats, truth } = dataSet;

  it('is deterministic for a seed and differs between seeds', () => {
    expect(buildHistoryDataSet({ chats: 30, messagesPerChat: 210, seed: 11 })).toEqual(dataSet);
    const other = buildHistoryDataSet({ chats: 30, messagesPerChat: 210, seed: 12 });
    expect(other.chats.map((c) => c.chatId)).not.toEqual(chats.map((c) => c.chatId));
    expect(buildHistoryDataSet({ chats: 0, messagesPerChat: 10, seed: 1 }).truth.summary).toMatchObject({
      chats: 0,
      distinctMessages: 0,
      storedItems: 0,
      newestTimestamp: null,
    });
    expect(() => buildHistoryDataSet({ chats: -1, messagesPerChat: 1, seed: 1 })).toThrow(RangeError);
    expect(() => buildHistoryDataSet({ chats: 20, messagesPerChat: 50, seed: 1, anchorSeconds: 1000 })).toThrow(
      /too early/,
    );
  });

  it('has chats x messagesPerChat distinct messages with unique ids, and a truth that adds up', () => {
    const messages = allMessages(chats);
    expect(messages).toHaveLength(30 * 210);
    expect(new Set(messages.map((m) => m.id)).size).toBe(messages.length);
    expect(new Set(messages.map((m) => m.rawId)).size).toBe(messages.length);
    expect(truth.summary).toMatchObject({
      seed: 11,
      anchorSeconds: SEED_ANCHOR_SECONDS,
      chats: 30,
      groups: 3,
      distinctMessages: 6300,
    });
    expect(truth.summary.storedItems).toBe(6300 + 6 * 2);
    expect(truth.chats.map((c) => c.distinctMessages)).toEqual(Array(30).fill(210));
    expect(truth.contacts.reduce((sum, c) => sum + c.distinctMessages, 0)).toBe(6300);
    for (const chat of truth.chats) {
      expect(chat.inbound + chat.outbound).toBe(chat.distinctMessages);
      expect(new Set(chat.messages.map((m) => m.id)).size).toBe(chat.distinctMessages);
      expect(chat.messages.map((m) => m.timestamp)).toEqual(
        [...chat.messages.map((m) => m.timestamp)].sort((a, b) => b - a),
      );
    }
  });

  it('mixes 1:1 chats under @c.us and @lid, groups of both id forms, prefixed and bare ids', () => {
    const kinds = chats.map((c) => c.kind);
    expect(kinds.filter((k) => k === 'group')).toHaveLength(3);
    expect(chats.filter((c) => c.kind === 'group').map((c) => c.index)).toEqual([4, 14, 24]);
    expect(chats[4].chatId).toMatch(/^120363[0-9]{12}@g\.us$/);
    expect(chats[14].chatId).toMatch(/^55[0-9]{11}-[0-9]{10}@g\.us$/);
    expect(chats[12]).toMatchObject({
      kind: 'lid',
      chatId: expect.stringMatching(/^[0-9]{15}@lid$/),
      phone: expect.stringMatching(/^55[0-9]{11}$/),
    });
    expect(chats.filter((c) => c.kind === 'direct').every((c) => c.chatId === `${c.phone}@c.us`)).toBe(true);

    const bare = chats.filter((c) => c.idShape === 'bare');
    expect(bare.map((c) => c.index)).toEqual([6, 22]);
    for (const chat of bare)
      expect(
        chat.items.every(
          (i) => i.message.id === i.message.rawId && i.message.fullId.endsWith(`_${chat.chatId}_${i.message.rawId}`),
        ),
      ).toBe(true);
    for (const chat of chats.filter((c) => c.idShape === 'prefixed')) {
      expect(chat.items.every((i) => i.message.id === i.message.fullId && MESSAGE_ID_PATTERN.test(i.message.id))).toBe(
        true,
      );
    }
    const messages = allMessages(chats);
    expect(
      messages.filter((m) => m.fromMe && m.source === 'api').every((m) => /^3EB0[0-9A-F]{18}$/.test(m.rawId)),
    ).toBe(true);
    expect(messages.filter((m) => m.fromMe && m.source === 'app').every((m) => /^3A[0-9A-F]{18}$/.test(m.rawId))).toBe(
      true,
    );
    expect(messages.filter((m) => !m.fromMe).every((m) => /^(AC[0-9A-F]{30}|3A[0-9A-F]{18})$/.test(m.rawId))).toBe(
      true,
    );
    expect(messages.some((m) => !m.fromMe && m.rawId.startsWith('AC'))).toBe(true);
    expect(messages.some((m) => !m.fromMe && m.rawId.startsWith('3A'))).toBe(true);
    expect(chats.some((c) => c.name === null)).toBe(true);
  });

  it('mixes directions, sources and media kinds', () => {
    const messages = allMessages(chats);
    expect(messages.filter((m) => !m.fromMe).length).toBeGreaterThan(messages.length * 0.3);
    expect(messages.filter((m) => m.fromMe && m.source === 'api').length).toBeGreaterThan(100);
    expect(messages.filter((m) => m.fromMe && m.source === 'app').length).toBeGreaterThan(100);
    expect(messages.filter((m) => !m.fromMe).every((m) => m.source === 'app' && m.ack === 2 && m.pushName)).toBe(true);
    for (const chat of chats.filter((c) => c.kind !== 'group'))
      expect(chat.items.some((i) => i.message.fromMe)).toBe(true);

    const media = messages.filter((m) => m.media);
    expect(media.length).toBe(Math.floor((messages.length + 3) / 7));
    const byKind = (kind: string) => media.filter((m) => m.media!.kind === kind);
    expect(byKind('image')[0].media).toMatchObject({ mimetype: 'image/jpeg', width: 16, height: 16 });
    expect(
      byKind('audio').every(
        (m) => m.media!.mimetype === 'audio/ogg; codecs=opus' && m.text === null && m.media!.seconds! > 0,
      ),
    ).toBe(true);
    expect(byKind('video')[0].media).toMatchObject({ mimetype: 'video/mp4' });
    expect(
      byKind('document').every(
        (m) => /^[a-z0-9-]+-[0-9]{4}\.pdf$/.test(m.media!.fileName!) && m.media!.mimetype === 'application/pdf',
      ),
    ).toBe(true);
    expect(byKind('image').some((m) => m.text) && byKind('image').some((m) => !m.text)).toBe(true);
    // Small data sets hold every kind too: the kinds rotate.
    const small = allMessages(buildHistoryDataSet({ chats: 2, messagesPerChat: 14, seed: 3 }).chats);
    expect(new Set(small.filter((m) => m.media).map((m) => m.media!.kind))).toEqual(
      new Set(['image', 'audio', 'video', 'document']),
    );
    expect(new Set(small.filter((m) => m.fromMe).map((m) => m.source))).toEqual(new Set(['api', 'app']));
  });

  it('fills groups with members only, some of whom also have a 1:1 chat', () => {
    for (const group of chats.filter((c) => c.kind === 'group')) {
      const messages = group.items.map((i) => i.message);
      expect(
        messages.every(
          (m) => !m.fromMe && /^55[0-9]{11}@c\.us$/.test(m.participant!) && m.id.endsWith(`_${m.participant}`),
        ),
      ).toBe(true);
      const authors = new Set(messages.map((m) => m.participant));
      expect(authors.size).toBeGreaterThanOrEqual(3);
      const withOwnChat = [...authors].filter((a) => chats.some((c) => c.chatId === a));
      expect(withOwnChat.length).toBeGreaterThanOrEqual(1);
    }
    expect(
      chats.filter((c) => c.kind !== 'group').every((c) => c.items.every((i) => i.message.participant === null)),
    ).toBe(true);
    const inTwoChats = truth.contacts.filter((c) => c.chatIds.length >= 2);
    expect(inTwoChats.length).toBeGreaterThanOrEqual(1);
    const contact = inTwoChats[0];
    const ownChat = truth.chats.find((c) => c.chatId === `${contact.phone}@c.us`)!;
    const groupWritten = truth.chats
      .filter((c) => c.kind === 'group')
      .flatMap((c) => c.messages)
      .filter((m) => m.participant === `${contact.phone}@c.us`);
    expect(contact.distinctMessages).toBe(ownChat.distinctMessages + groupWritten.length);
    expect(contact.inbound).toBe(ownChat.inbound + groupWritten.length);
    expect(contact.outbound).toBe(ownChat.outbound);
  });

  it('keeps every timestamp before the anchor, with short and long silences (several 30-min sessions a chat)', () => {
    const messages = allMessages(chats);
    expect(Math.max(...messages.map((m) => m.timestamp))).toBeLessThan(SEED_ANCHOR_SECONDS);
    expect(truth.summary.newestTimestamp).toBe(Math.max(...messages.map((m) => m.timestamp)));
    for (const chat of chats) {
      const times = chat.items.map((i) => i.message.timestamp);
      const gaps = times.slice(1).map((t, i) => t - times[i]);
      expect(gaps.every((g) => g >= 0)).toBe(true);
      expect(gaps.some((g) => g > 0 && g < SESSION_GAP_SECONDS)).toBe(true);
      expect(gaps.some((g) => g > 2 * SESSION_GAP_SECONDS)).toBe(true);
      // Nothing close to the 30-minute rule, so the count does not hinge on > versus >=.
      expect(gaps.filter((g) => g > 25 * 60 && g < 40 * 60)).toEqual([]);
    }
    expect(truth.chats.every((c) => c.sessionsAt30MinGap >= 5)).toBe(true);
    // Chat 0 is the newest conversation.
    expect(truth.chats[0].newestTimestamp).toBe(truth.summary.newestTimestamp);
  });

  it('puts a run of equal seconds across every multiple of 50 of the newest-first list', () => {
    for (const chat of chats) {
      const list = served(chat);
      for (const boundary of [50, 100, 150, 200]) {
        expect(list[boundary - 1].timestamp).toBe(list[boundary].timestamp);
      }
      const runs: number[] = [];
      let length = 1;
      for (let p = 1; p <= list.length; p++) {
        if (p < list.length && list[p].timestamp === list[p - 1].timestamp) length++;
        else {
          if (length > 1) runs.push(length);
          length = 1;
        }
      }
      expect(runs.some((r) => r >= 3)).toBe(true);
    }
  });

  it('stores the twins of every 5th chat right after their original, across page boundaries', () => {
    const twinChats = chats.filter((c) => c.items.some((i) => i.twin));
    expect(twinChats.map((c) => c.index)).toEqual([2, 7, 12, 17, 22, 27]);
    for (const chat of twinChats) {
      const list = served(chat);
      expect(list).toHaveLength(212);
      // Copies at positions 200 and 100: the pairs 199/200 and 99/100 straddle pages of 50, 100 and 200.
      expect(list[200]).toBe(list[199]);
      expect(list[100]).toBe(list[99]);
      const t = truth.chats[chat.index];
      expect(t).toMatchObject({ distinctMessages: 210, storedItems: 212 });
      expect(new Set(t.twinIds)).toEqual(new Set([list[200].id, list[100].id]));
    }
    const none = buildHistoryDataSet({ chats: 10, messagesPerChat: 20, seed: 1, twinChatEvery: 0 });
    expect(none.truth.summary.storedItems).toBe(none.truth.summary.distinctMessages);
    const every = buildHistoryDataSet({ chats: 3, messagesPerChat: 20, seed: 1, twinChatEvery: 1, twinsPerChat: 3 });
    expect(every.truth.chats.map((c) => c.storedItems)).toEqual([23, 23, 23]);
    for (const chat of every.chats) {
      const list = served(chat);
      list.forEach((m, p) => {
        if (p > 0 && m === list[p - 1]) expect(m.timestamp).toBe(list[p - 1].timestamp);
      });
    }
  });

  it('ends the newest chats just before recentAnchorSeconds when asked', () => {
    const recentAnchorSeconds = 1_800_000_000;
    const recent = buildHistoryDataSet({ chats: 6, messagesPerChat: 30, seed: 5, recentAnchorSeconds, recentChats: 2 });
    const [first, second, third] = recent.truth.chats;
    expect(first.newestTimestamp!).toBeLessThan(recentAnchorSeconds);
    expect(first.newestTimestamp!).toBeGreaterThanOrEqual(recentAnchorSeconds - 31);
    expect(second.newestTimestamp!).toBeLessThan(first.newestTimestamp!);
    expect(second.newestTimestamp!).toBeGreaterThan(recentAnchorSeconds - 700);
    expect(third.newestTimestamp!).toBeLessThan(SEED_ANCHOR_SECONDS);
    expect(recent.truth.summary.recentAnchorSeconds).toBe(recentAnchorSeconds);
    expect(
      buildHistoryDataSet({ chats: 2, messagesPerChat: 3, seed: 5, anchorSeconds: 1_700_000_000 }).truth.summary
        .newestTimestamp!,
    ).toBeLessThan(1_700_000_000);
  });

  it('builds 500 x 200 messages quickly', () => {
    // CPU time, not wall time: other jobs share the two cores. About 0.4 s; the store side is in the int spec.
    const before = process.cpuUsage();
    const big = buildHistoryDataSet({ chats: 500, messagesPerChat: 200, seed: 1 });
    const used = process.cpuUsage(before);
    expect((used.user + used.system) / 1000).toBeLessThan(2000);
    expect(big.truth.summary).toMatchObject({
      chats: 500,
      groups: 50,
      distinctMessages: 100_000,
      storedItems: 100_200,
    });
  });
});

describe('countSessions', () => {
  it('starts a new session after more than the gap', () => {
    expect(countSessions([])).toBe(0);
    expect(countSessions([100])).toBe(1);
    expect(countSessions([0, 1800, 3600])).toBe(1);
    expect(countSessions([0, 1801, 1801, 5000])).toBe(3);
    expect(countSessions([0, 10, 20], 5)).toBe(3);
  });
});
