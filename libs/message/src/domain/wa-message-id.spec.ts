import { ValidationError } from '@app/shared';
import {
  assertWaChatId,
  assertWaRawId,
  assertWhatsAppTime,
  parseWaMessageId,
  tryParseWaMessageId,
  unixSecondsToDate,
  waMessageKey,
} from './wa-message-id';

function validationError(work: () => unknown): ValidationError {
  try {
    work();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('parseWaMessageId', () => {
  it.each([
    // Ids of the WAHA fixtures (GOWS, 2026.7.1).
    [
      'false_5511999990001@c.us_AC4A6C8E0A2C4E6A8C0E2A4C6E8A0C47',
      false,
      '5511999990001@c.us',
      'AC4A6C8E0A2C4E6A8C0E2A4C6E8A0C47',
      null,
    ],
    ['true_5511999990001@c.us_3EB0A1B2C3D4E5F6A7B8C9', true, '5511999990001@c.us', '3EB0A1B2C3D4E5F6A7B8C9', null],
    [
      'false_120363400000000001@g.us_3A9F2E4D6C8B0A1F3E5D_123450000000002@lid',
      false,
      '120363400000000001@g.us',
      '3A9F2E4D6C8B0A1F3E5D',
      '123450000000002@lid',
    ],
    ['false_123450000000002@lid_AC0001', false, '123450000000002@lid', 'AC0001', null],
    ['false_status@broadcast_3A11_5511999990002@c.us', false, 'status@broadcast', '3A11', '5511999990002@c.us'],
  ])('splits %s on "_"', (id, fromMe, chatId, rawId, participant) => {
    expect(parseWaMessageId(id)).toEqual({ fromMe, chatId, rawId, participant });
  });

  it.each([
    ['', 'must not be empty'],
    ['AC4A6C8E0A2C4E6A8C0E2A4C6E8A0C47', 'must be a WhatsApp message id'],
    ['false_5511999990001@c.us', 'must be a WhatsApp message id'],
    ['false_a@c.us_RAW_b@lid_extra', 'must be a WhatsApp message id'],
    ['yes_5511999990001@c.us_AC4A', 'must start with true_ or false_'],
    ['TRUE_5511999990001@c.us_AC4A', 'must start with true_ or false_'],
    ['false_5511999990001_AC4A', '2nd segment'],
    ['false_@c.us_AC4A', '2nd segment'],
    ['false_a@b@c.us_AC4A', '2nd segment'],
    ['false_5511999990001@c.us_', '3rd segment'],
    ['false_5511999990001@c.us_AC@4A', '3rd segment'],
    ['false_120363400000000001@g.us_3A9F_', '4th segment'],
    ['false_120363400000000001@g.us_3A9F_bruno', '4th segment'],
    ['false_5511999990001@c.us_AC4A ', 'whitespace'],
    ['false_5511999990001@c.us_AC\u00004A', 'control'],
    [`false_5511999990001@c.us_${'A'.repeat(600)}`, 'at most 512'],
  ])('rejects %p (%s)', (id, message) => {
    const error = validationError(() => parseWaMessageId(id));
    expect(error.field).toBe('externalId');
    expect(error.message).toContain(message);
  });

  it('rejects non-strings and names the field given', () => {
    expect(validationError(() => parseWaMessageId(42)).message).toBe('externalId: must be a string');
    expect(validationError(() => parseWaMessageId(null, 'targetExternalId')).field).toBe('targetExternalId');
  });

  it('tryParseWaMessageId answers null instead of throwing', () => {
    expect(tryParseWaMessageId('nope')).toBeNull();
    expect(tryParseWaMessageId(undefined)).toBeNull();
    expect(tryParseWaMessageId('true_5511999990001@c.us_3EB0')).toEqual({
      fromMe: true,
      chatId: '5511999990001@c.us',
      rawId: '3EB0',
      participant: null,
    });
  });
});

describe('waMessageKey', () => {
  it('is the full id for 1:1 chats and drops the 4th segment of group ids', () => {
    const direct = 'true_5511999990001@c.us_3EB0A1B2C3D4E5F6A7B8C9';
    expect(waMessageKey(parseWaMessageId(direct))).toBe(direct);
    // A group ack may carry the reader instead of the sender: both map to the same key.
    const sent = parseWaMessageId('true_120363400000000001@g.us_3EB0FF_987650000000001@lid');
    const ackedByReader = parseWaMessageId('true_120363400000000001@g.us_3EB0FF_123450000000002@lid');
    expect(waMessageKey(sent)).toBe('true_120363400000000001@g.us_3EB0FF');
    expect(waMessageKey(ackedByReader)).toBe(waMessageKey(sent));
  });
});

describe('chat and raw id checks', () => {
  it('accepts chat ids and bare raw ids and names the field otherwise', () => {
    expect(() => assertWaChatId('5511999990001@c.us')).not.toThrow();
    expect(() => assertWaRawId('AC5B7D9F1B3D5F7B9D1F3B5D7F9B1D59')).not.toThrow();
    expect(validationError(() => assertWaChatId('5511999990001')).field).toBe('chatId');
    expect(validationError(() => assertWaChatId('a_b@c.us')).field).toBe('chatId');
    expect(validationError(() => assertWaRawId('false_5511999990001@c.us_AC5B')).field).toBe('rawId');
    expect(validationError(() => assertWaRawId('')).field).toBe('rawId');
  });
});

describe('WhatsApp times', () => {
  it('turns WAHA unix seconds into the exact instant', () => {
    // webhook-message-text.json: timestamp 1773147750, _data.Info.Timestamp 2026-03-10T13:02:30Z.
    expect(unixSecondsToDate(1773147750).toISOString()).toBe('2026-03-10T13:02:30.000Z');
    // WEBJS reactions have been seen with fractions.
    expect(unixSecondsToDate(1773147740.5).toISOString()).toBe('2026-03-10T13:02:20.500Z');
  });

  it('refuses values that are really milliseconds, or seconds divided by 1000 (the original 1970 bug)', () => {
    expect(validationError(() => unixSecondsToDate(1773147750000)).message).toContain('unix seconds');
    expect(validationError(() => unixSecondsToDate(1773147.75)).message).toContain('unix seconds');
    expect(validationError(() => unixSecondsToDate(Number.NaN)).field).toBe('timestamp');
    expect(validationError(() => unixSecondsToDate('1773147750', 'sentAt')).field).toBe('sentAt');
  });

  it('checks Dates the same way', () => {
    expect(() => assertWhatsAppTime(new Date('2026-03-10T13:02:30Z'), 'sentAt')).not.toThrow();
    expect(validationError(() => assertWhatsAppTime(new Date(1773147750), 'sentAt')).field).toBe('sentAt');
    expect(validationError(() => assertWhatsAppTime(new Date('nope'), 'at')).message).toBe('at: must be a valid date');
    expect(validationError(() => assertWhatsAppTime('2026-03-10', 'at')).message).toBe('at: must be a valid date');
  });
});
