import {
  buildMessageId,
  decodeUlidTime,
  deterministicHex,
  EVENT_ID_PATTERN,
  lidForPhone,
  MESSAGE_ID_PATTERN,
  newApiRawId,
  newEventId,
  newIosRawId,
  newPhoneRawId,
  newWebhookRequestId,
  normalizeChatId,
  normalizeGroupId,
  parseMessageId,
  toJid,
  UlidFactory,
} from './ids';
import { loadFixture } from '../testing/shape';

describe('ids (§3.2, §5)', () => {
  it('makes evt_ + lower-case 26-char ULIDs whose time part is the event time', () => {
    const t = 1773147750630;
    const id = newEventId(t);
    expect(id).toMatch(EVENT_ID_PATTERN);
    expect(decodeUlidTime(id.slice(4))).toBe(t);
  });

  it('decodes the fixtures event ids to their envelope timestamps', () => {
    for (const name of ['webhook-message-text.json', 'webhook-message-ack.json', 'webhook-session-status.json']) {
      const envelope = loadFixture<{ id: string; timestamp: number }>(name);
      expect(envelope.id).toMatch(EVENT_ID_PATTERN);
      expect(decodeUlidTime(envelope.id.slice(4))).toBe(envelope.timestamp);
    }
  });

  it('keeps ULIDs unique and sorted within the same millisecond', () => {
    const factory = new UlidFactory();
    const ids = Array.from({ length: 1000 }, () => factory.next(1773147750630));
    expect(new Set(ids).size).toBe(1000);
    expect([...ids].sort()).toEqual(ids);
    const later = factory.next(1773147750631);
    expect(later > ids[ids.length - 1]).toBe(true);
  });

  it('carries the random part over when it overflows a digit', () => {
    const factory = new UlidFactory(() => Buffer.from(Array(16).fill(31)));
    const first = factory.next(0);
    expect(first.slice(10)).toBe('z'.repeat(16));
    expect(() => factory.next(0)).toThrow(/overflow/);
    expect(() => factory.next(-1)).toThrow(RangeError);
  });

  it('makes raw ids in the shapes WhatsApp uses', () => {
    expect(newApiRawId()).toMatch(/^3EB0[0-9A-F]{18}$/);
    expect(newPhoneRawId()).toMatch(/^AC[0-9A-F]{30}$/);
    expect(newIosRawId()).toMatch(/^3A[0-9A-F]{18}$/);
    expect(deterministicHex('x', 70)).toBe(deterministicHex('x', 70));
    expect(deterministicHex('x', 70)).toMatch(/^[0-9A-F]{70}$/);
  });

  it('builds and parses {fromMe}_{chatId}_{rawId}[_{participant}]', () => {
    const direct = buildMessageId({
      fromMe: true,
      chatId: '5511999990001@c.us',
      rawId: '3EB0A1B2C3D4E5F6A7B8C9',
      participant: null,
    });
    expect(direct).toBe('true_5511999990001@c.us_3EB0A1B2C3D4E5F6A7B8C9');
    const group = buildMessageId({
      fromMe: false,
      chatId: '120363400000000001@g.us',
      rawId: '3A9F2E4D6C8B0A1F3E5D',
      participant: '123450000000002@lid',
    });
    expect(group).toBe(loadFixture<{ payload: { id: string } }>('webhook-message-group.json').payload.id);
    expect(parseMessageId(group)).toEqual({
      fromMe: false,
      chatId: '120363400000000001@g.us',
      rawId: '3A9F2E4D6C8B0A1F3E5D',
      participant: '123450000000002@lid',
    });
    expect(parseMessageId(direct)?.participant).toBeNull();
    expect(direct).toMatch(MESSAGE_ID_PATTERN);
    expect(group).toMatch(MESSAGE_ID_PATTERN);
    expect(parseMessageId('nope')).toBeNull();
    expect(parseMessageId('maybe_1@c.us_AA')).toBeNull();
  });

  it('normalises chat ids like WAHA accepts them', () => {
    expect(normalizeChatId('5511999990001')).toBe('5511999990001@c.us');
    expect(normalizeChatId('+55 11 99999-0001')).toBe('5511999990001@c.us');
    expect(normalizeChatId('5511999990001@s.whatsapp.net')).toBe('5511999990001@c.us');
    expect(normalizeChatId('5511999990000:12@s.whatsapp.net')).toBe('5511999990000@c.us');
    expect(normalizeChatId('123450000000002@lid')).toBe('123450000000002@lid');
    expect(normalizeChatId('120363400000000001@g.us')).toBe('120363400000000001@g.us');
    expect(normalizeChatId('hello')).toBeNull();
    expect(normalizeGroupId('120363400000000001')).toBe('120363400000000001@g.us');
    expect(normalizeGroupId('5511@c.us')).toBeNull();
    expect(toJid('5511999990001@c.us')).toBe('5511999990001@s.whatsapp.net');
    expect(toJid('123@lid')).toBe('123@lid');
  });

  it('derives stable 15-digit lids and uniqid-style request ids', () => {
    expect(lidForPhone('5511999990002')).toBe(lidForPhone('5511999990002'));
    expect(lidForPhone('5511999990002')).toMatch(/^[0-9]{15}@lid$/);
    expect(lidForPhone('5511999990002')).not.toBe(lidForPhone('5511999990003'));
    const ids = new Set(Array.from({ length: 500 }, () => newWebhookRequestId()));
    expect(ids.size).toBe(500);
    for (const id of ids) expect(id).toMatch(/^[0-9a-z]+$/);
  });
});
