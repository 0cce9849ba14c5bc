import { ValidationError } from '@app/shared';

/** The parts of a WAHA message id `{fromMe}_{chatId}_{rawId}[_{participant}]`. */
export interface WaMessageId {
  /** True for messages sent by this WhatsApp account. */
  fromMe: boolean;
  /** `5511999990001@c.us`, `120363400000000001@g.us`, `123@lid`, ... */
  chatId: string;
  /** WhatsApp's own id of the message (`AC4A...`, `3EB0...`); unique within the chat. */
  rawId: string;
  /** Group and status messages only: the 4th segment (an author id), else null. */
  participant: string | null;
}

const MAX_LENGTH = 512;
// eslint-disable-next-line no-control-regex
const WHITESPACE_OR_CONTROL = /[\s\u0000-\u001f\u007f]/;
/** `<user>@<server>`: one `@`, something on both sides, no `_`, whitespace or control characters. */
// eslint-disable-next-line no-control-regex
const JID = /^[^@_\s\u0000-\u001f\u007f]+@[^@_\s\u0000-\u001f\u007f]+$/;
/** WhatsApp's raw message id: no `@`, `_`, whitespace or control characters. */
// eslint-disable-next-line no-control-regex
const RAW_ID = /^[^@_\s\u0000-\u001f\u007f]{1,256}$/;

/**
 * Splits a WAHA message id on `_` (chat ids and raw ids never contain `_`):
 * `false_5511999990001@c.us_AC4A...` -> `{ fromMe: false, chatId: '5511999990001@c.us', rawId: 'AC4A...', participant: null }`.
 * Throws a ValidationError naming `field` for anything else.
 */
export function parseWaMessageId(id: unknown, field = 'externalId'): WaMessageId {
  if (typeof id !== 'string') throw new ValidationError(field, 'must be a string');
  if (id.length === 0) throw new ValidationError(field, 'must not be empty');
  if (id.length > MAX_LENGTH) throw new ValidationError(field, `must be at most ${MAX_LENGTH} characters`);
  if (WHITESPACE_OR_CONTROL.test(id))
    throw new ValidationError(field, 'must not contain whitespace or control characters');
  const parts = id.split('_');
  if (parts.length < 3 || parts.length > 4) {
    throw new ValidationError(field, 'must be a WhatsApp message id {fromMe}_{chatId}_{rawId}[_{participant}]');
  }
  const [fromMe, chatId, rawId, participant] = parts as [string, string, string, string | undefined];
  if (fromMe !== 'true' && fromMe !== 'false') throw new ValidationError(field, 'must start with true_ or false_');
  if (!JID.test(chatId))
    throw new ValidationError(field, 'must carry a chat id such as 5511999990001@c.us as its 2nd segment');
  if (!RAW_ID.test(rawId)) throw new ValidationError(field, 'must carry the raw message id as its 3rd segment');
  if (participant !== undefined && !JID.test(participant)) {
    throw new ValidationError(field, 'must carry a participant id such as 123@lid as its 4th segment');
  }
  return { fromMe: fromMe === 'true', chatId, rawId, participant: participant ?? null };
}

/** Throws a ValidationError naming `field` unless `value` is a chat id such as `5511999990001@c.us`. */
export function assertWaChatId(value: unknown, field = 'chatId'): asserts value is string {
  if (typeof value !== 'string' || !JID.test(value) || value.length > MAX_LENGTH) {
    throw new ValidationError(field, 'must be a chat id such as 5511999990001@c.us');
  }
}

/** Throws a ValidationError naming `field` unless `value` is a bare raw message id (`AC4A...`). */
export function assertWaRawId(value: unknown, field = 'rawId'): asserts value is string {
  if (typeof value !== 'string' || !RAW_ID.test(value))
    throw new ValidationError(field, 'must be a bare raw message id such as AC4A6C8E...');
}

/** parseWaMessageId without throwing: null when `id` is not a WAHA message id. */
export function tryParseWaMessageId(id: unknown): WaMessageId | null {
  try {
    return parseWaMessageId(id);
  } catch (error) {
    if (error instanceof ValidationError) return null;
    throw error;
  }
}

/**
 * The first three segments `{fromMe}_{chatId}_{rawId}`: what identifies a message whatever 4th
 * segment an event carries (group acks put the reader or the sender there, depending on the engine).
 * Equal to the full id for 1:1 chats.
 */
export function waMessageKey(id: WaMessageId): string {
  return `${id.fromMe}_${id.chatId}_${id.rawId}`;
}

/** Smallest and largest plausible WhatsApp times: a value outside is a unit mistake (milliseconds
 *  read as seconds, or seconds divided by 1000), not a real message time. */
const EARLIEST = Date.UTC(2009, 0, 1);
const LATEST = Date.UTC(2100, 0, 1);

/** The Date of a WAHA payload timestamp, which is in unix SECONDS (fractions allowed). */
export function unixSecondsToDate(seconds: unknown, field = 'timestamp'): Date {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds))
    throw new ValidationError(field, 'must be a number of seconds');
  const date = new Date(Math.round(seconds * 1000));
  assertWhatsAppTime(date, field);
  return date;
}

/** Throws a ValidationError naming `field` unless `value` is a valid Date between 2009 and 2100. */
export function assertWhatsAppTime(value: unknown, field: string): asserts value is Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime()))
    throw new ValidationError(field, 'must be a valid date');
  const ms = value.getTime();
  if (ms < EARLIEST || ms >= LATEST) {
    throw new ValidationError(field, 'is not a plausible WhatsApp time (WAHA timestamps are unix seconds)');
  }
}
