import { createHash, randomBytes } from 'node:crypto';

/** Crockford base32, the ULID alphabet (WAHA writes it lower-case). */
const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';
const TIME_CHARS = 10;
const RANDOM_CHARS = 16;

/** Monotonic ULID generator: ids made in the same millisecond keep sorting in creation order. */
export class UlidFactory {
  private lastTime = -1;
  private lastRandom: number[] = [];

  constructor(private readonly random: (bytes: number) => Buffer = randomBytes) {}

  next(timeMs: number = Date.now()): string {
    if (!Number.isInteger(timeMs) || timeMs < 0 || timeMs > 2 ** 48 - 1)
      throw new RangeError(`ULID time out of range: ${timeMs}`);
    if (timeMs <= this.lastTime) {
      timeMs = this.lastTime;
      this.lastRandom = incrementBase32(this.lastRandom);
    } else {
      this.lastTime = timeMs;
      const bytes = this.random(RANDOM_CHARS);
      this.lastRandom = Array.from(bytes, (b) => b % 32);
    }
    return encodeTime(timeMs) + this.lastRandom.map((d) => CROCKFORD[d]).join('');
  }
}

function encodeTime(timeMs: number): string {
  let rest = timeMs;
  let out = '';
  for (let i = 0; i < TIME_CHARS; i++) {
    out = CROCKFORD[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

function incrementBase32(digits: number[]): number[] {
  const next = [...digits];
  for (let i = next.length - 1; i >= 0; i--) {
    if (next[i] < 31) {
      next[i] += 1;
      return next;
    }
    next[i] = 0;
  }
  throw new RangeError('ULID random part overflow within one millisecond');
}

/** The millisecond time encoded in the first 10 characters of a ULID. */
export function decodeUlidTime(ulid: string): number {
  return [...ulid.slice(0, TIME_CHARS).toLowerCase()].reduce((acc, ch) => {
    const digit = CROCKFORD.indexOf(ch);
    if (digit < 0) throw new Error(`not a ULID: ${ulid}`);
    return acc * 32 + digit;
  }, 0);
}

export const EVENT_ID_PATTERN = /^evt_[0-9a-hjkmnp-tv-z]{26}$/;

const defaultUlids = new UlidFactory();

/** Webhook event id: `evt_` + lower-case ULID whose time part is the event time. */
export function newEventId(timeMs: number = Date.now()): string {
  return `evt_${defaultUlids.next(timeMs)}`;
}

function upperHex(bytes: number): string {
  return randomBytes(bytes).toString('hex').toUpperCase();
}

/** Raw id of a message sent through WAHA/WhatsApp Web: `3EB0` + 18 upper-case hex (22 chars). */
export function newApiRawId(): string {
  return `3EB0${upperHex(9)}`;
}

/** Raw id of a message sent from a phone (Android style): `AC` + 30 upper-case hex (32 chars). */
export function newPhoneRawId(): string {
  return `AC${upperHex(15)}`;
}

/** Raw id of a message sent from a phone (iOS style, seen in groups): `3A` + 18 upper-case hex (20 chars). */
export function newIosRawId(): string {
  return `3A${upperHex(9)}`;
}

/** Deterministic upper-case hex of `length` characters derived from `seed` (seeded data set). */
export function deterministicHex(seed: string, length: number): string {
  let out = '';
  for (let round = 0; out.length < length; round++)
    out += createHash('sha256').update(`${round}:${seed}`).digest('hex');
  return out.slice(0, length).toUpperCase();
}

export const RAW_ID_PATTERN = /^[0-9A-F]+$/;

// Groups: `120363…@g.us`, or the older `<creator phone>-<creation time>@g.us`.
const CHAT_ID_PATTERN = /^[0-9]+@(c\.us|lid|newsletter)$|^[0-9]+(-[0-9]+)?@g\.us$|^status@broadcast$/;

/**
 * Normalises what WAHA accepts as a chat id: `…@c.us`, `…@g.us`, `…@lid`, `…@newsletter`, `…@s.whatsapp.net`
 * (converted to `@c.us`, device suffix dropped) or bare phone digits (with or without `+`, spaces, dashes).
 * Returns null when the value is none of these.
 */
export function normalizeChatId(input: string): string | null {
  const value = input.trim();
  const jid = /^([0-9]+)(?::[0-9]+)?@s\.whatsapp\.net$/.exec(value);
  if (jid) return `${jid[1]}@c.us`;
  if (CHAT_ID_PATTERN.test(value)) return value;
  const digits = value.replace(/[\s+\-().]/g, '');
  if (/^[0-9]{5,20}$/.test(digits)) return `${digits}@c.us`;
  return null;
}

/** Group ids: `<digits>@g.us` or bare digits. */
export function normalizeGroupId(input: string): string | null {
  const value = input.trim();
  if (/^[0-9-]+@g\.us$/.test(value)) return value;
  if (/^[0-9]{5,30}$/.test(value)) return `${value}@g.us`;
  return null;
}

/** Lids: `<digits>@lid` or bare digits. */
export function normalizeLid(input: string): string | null {
  const value = input.trim();
  if (/^[0-9]+@lid$/.test(value)) return value;
  if (/^[0-9]{5,30}$/.test(value)) return `${value}@lid`;
  return null;
}

export function isGroupChat(chatId: string): boolean {
  return chatId.endsWith('@g.us');
}

/** whatsmeow JID of a WAHA chat id, as it appears in GOWS `_data` (`@c.us` → `@s.whatsapp.net`). */
export function toJid(chatId: string): string {
  // Messages of one chat come in runs (a data set builds 100,000): the last answer is kept, so they share one string.
  if (chatId !== lastJid.chatId)
    lastJid = { chatId, jid: chatId.endsWith('@c.us') ? `${chatId.slice(0, -'@c.us'.length)}@s.whatsapp.net` : chatId };
  return lastJid.jid;
}

let lastJid = { chatId: '', jid: '' };

/** Digits of a `…@c.us` / `…@s.whatsapp.net` id. */
export function phoneOf(id: string): string {
  return id.split('@')[0].split(':')[0];
}

/** A stable fake `@lid` for a phone number (15 digits, like the real ones). */
export function lidForPhone(phone: string): string {
  // A sha256 per call: the last answer is kept for the runs of one chat's messages.
  if (phone !== lastLid.phone) {
    const digits = BigInt(`0x${deterministicHex(`lid:${phone}`, 16)}`) % 10n ** 14n;
    lastLid = { phone, lid: `1${digits.toString().padStart(14, '0')}@lid` };
  }
  return lastLid.lid;
}

let lastLid = { phone: '', lid: '' };

export interface MessageIdParts {
  fromMe: boolean;
  chatId: string;
  rawId: string;
  participant: string | null;
}

/** `{fromMe}_{chatId}_{rawId}[_{participant}]` (§5). */
export function buildMessageId(parts: MessageIdParts): string {
  const base = `${parts.fromMe}_${parts.chatId}_${parts.rawId}`;
  return parts.participant ? `${base}_${parts.participant}` : base;
}

export function parseMessageId(id: string): MessageIdParts | null {
  const segments = id.split('_');
  if (segments.length !== 3 && segments.length !== 4) return null;
  const [fromMe, chatId, rawId, participant] = segments;
  if (fromMe !== 'true' && fromMe !== 'false') return null;
  if (!chatId.includes('@') || rawId.length === 0) return null;
  return { fromMe: fromMe === 'true', chatId, rawId, participant: participant ?? null };
}

export const MESSAGE_ID_PATTERN = /^(true|false)_[^_@]+@[^_]+_[0-9A-F]+(_[^_@]+@[^_]+)?$/;

let requestCounter = 0;
const requestPrefix = randomBytes(4).readUInt32BE(0).toString(36);

/** `X-Webhook-Request-Id`: a uniqid-style string (host/process prefix + time + counter), not a UUID. */
export function newWebhookRequestId(now: number = Date.now()): string {
  requestCounter = (requestCounter + 1) % 36 ** 4;
  return `${requestPrefix}${now.toString(36)}${requestCounter.toString(36).padStart(4, '0')}`;
}
