import { ValidationError } from '@app/shared';
import { type AdReferral, type InboundMessage, type InboundMessageType } from './inbound-message';

/** What a WAHA webhook means for us. The channel comes from the URL, never from the body. */
export type WahaEvent =
  | { kind: 'message'; eventId: string; event: 'message' | 'message.any'; message: InboundMessage }
  | { kind: 'ack'; eventId: string; externalId: string; ack: number; at: string }
  | { kind: 'revoked'; eventId: string; chatId: string; rawId: string; at: string }
  | { kind: 'reaction'; eventId: string; reactionExternalId: string; targetExternalId: string; reactor: string; emoji: string; at: string }
  | { kind: 'session_status'; eventId: string; status: string; at: string }
  | { kind: 'ignored'; eventId: string; event: string; reason: string };

type Json = Record<string, unknown>;

/** Longest message id (or raw id) the message context stores. */
const MESSAGE_ID_MAX_LENGTH = 512;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

function requireString(obj: Json, key: string, path: string): string {
  const value = obj[key];
  if (typeof value !== 'string' || value.length === 0) throw new ValidationError(path, 'must be a non-empty string');
  return value;
}

function requireObject(obj: Json, key: string, path: string): Json {
  const value = obj[key];
  if (!isObject(value)) throw new ValidationError(path, 'must be an object');
  return value;
}

function secondsToIso(value: unknown, path: string): string {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new ValidationError(path, 'must be unix seconds');
  // WAHA message timestamps are seconds (WEBJS reactions may carry a fraction); ms values would
  // land in the year 50000+, so they are rejected rather than misread (the original divided by 1000).
  if (value > 1e11) throw new ValidationError(path, 'must be unix seconds, not milliseconds');
  return new Date(Math.round(value * 1000)).toISOString();
}

/** The envelope's `timestamp` (unix milliseconds) as ISO; now when absent. One outside the range a
 *  date can hold (1e20) is refused: toISOString would throw (found by fuzzing). */
function envelopeTime(value: unknown): string {
  if (typeof value !== 'number') return new Date().toISOString();
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw new ValidationError('timestamp', 'must be unix milliseconds');
  return at.toISOString();
}

/** Splits `{fromMe}_{chatId}_{rawId}[_{participant}]`; chat ids and raw ids never contain `_`. */
export function splitMessageId(id: string, path = 'payload.id'): { fromMe: boolean; chatId: string; rawId: string; participant: string | null } {
  // The message context's own limit, named by the payload field here (found by fuzzing).
  if (id.length > MESSAGE_ID_MAX_LENGTH) throw new ValidationError(path, `must be at most ${MESSAGE_ID_MAX_LENGTH} characters`);
  const parts = id.split('_');
  if (parts.length < 3 || (parts[0] !== 'true' && parts[0] !== 'false') || !parts[1] || !parts[2]) {
    throw new ValidationError(path, 'must be a WAHA message id {fromMe}_{chatId}_{messageId}');
  }
  return { fromMe: parts[0] === 'true', chatId: parts[1], rawId: parts[2], participant: parts[3] ?? null };
}

/** `5511999990001@c.us`, `5511999990001@s.whatsapp.net`, `5511999990001:12@s.whatsapp.net` → digits. */
export function phoneOfJid(jid: string | null | undefined): string | null {
  if (!jid) return null;
  const match = /^(\d{8,15})(?::\d+)?@(c\.us|s\.whatsapp\.net)$/.exec(jid);
  return match ? match[1]! : null;
}

function chatKind(chatId: string): 'direct' | 'lid' | 'group' | 'broadcast' | 'newsletter' | 'unknown' {
  if (chatId.endsWith('@g.us')) return 'group';
  if (chatId.endsWith('@newsletter')) return 'newsletter';
  if (chatId.endsWith('@broadcast')) return 'broadcast';
  if (chatId.endsWith('@lid')) return 'lid';
  if (chatId.endsWith('@c.us') || chatId.endsWith('@s.whatsapp.net')) return 'direct';
  return 'unknown';
}

/** Parses and validates a WAHA webhook body. Malformed bodies throw a ValidationError naming the field. */
export function parseWahaEvent(body: unknown): WahaEvent {
  if (!isObject(body)) throw new ValidationError('body', 'must be a JSON object');
  const eventId = requireString(body, 'id', 'id');
  const event = requireString(body, 'event', 'event');
  requireString(body, 'session', 'session');
  const payload = requireObject(body, 'payload', 'payload');
  const envelopeAt = envelopeTime(body.timestamp);

  switch (event) {
    case 'message':
    case 'message.any':
      return parseMessageEvent(eventId, event, payload);
    case 'message.ack': {
      const externalId = requireString(payload, 'id', 'payload.id');
      // A chat no message can come from: its ack would be kept pending forever (found by fuzzing).
      const ackedChat = splitMessageId(externalId).chatId;
      if (chatKind(ackedChat) === 'unknown') throw new ValidationError('payload.id', `has an unknown chat id ${ackedChat}`);
      const ack = payload.ack;
      if (typeof ack !== 'number' || !Number.isInteger(ack) || ack < -1 || ack > 4) throw new ValidationError('payload.ack', 'must be an integer from -1 to 4');
      return { kind: 'ack', eventId, externalId, ack, at: envelopeAt };
    }
    case 'message.revoked': {
      const rawId = requireString(payload, 'revokedMessageId', 'payload.revokedMessageId');
      if (rawId.length > MESSAGE_ID_MAX_LENGTH) throw new ValidationError('payload.revokedMessageId', `must be at most ${MESSAGE_ID_MAX_LENGTH} characters`);
      const after = isObject(payload.after) ? payload.after : null;
      const chatId = after && typeof after.id === 'string' ? splitMessageId(after.id, 'payload.after.id').chatId : str(after?.from);
      if (!chatId) throw new ValidationError('payload.after.id', 'must identify the chat of the revoked message');
      return { kind: 'revoked', eventId, chatId: normaliseChatId(chatId), rawId, at: after ? secondsToIso(after.timestamp, 'payload.after.timestamp') : envelopeAt };
    }
    case 'message.reaction': {
      const reactionExternalId = requireString(payload, 'id', 'payload.id');
      const reaction = requireObject(payload, 'reaction', 'payload.reaction');
      const targetExternalId = requireString(reaction, 'messageId', 'payload.reaction.messageId');
      splitMessageId(targetExternalId, 'payload.reaction.messageId');
      if (typeof reaction.text !== 'string') throw new ValidationError('payload.reaction.text', 'must be a string (empty removes the reaction)');
      const reactor = str(payload.participant) ?? requireString(payload, 'from', 'payload.from');
      return {
        kind: 'reaction', eventId, reactionExternalId, targetExternalId, reactor, emoji: reaction.text,
        at: secondsToIso(payload.timestamp, 'payload.timestamp'),
      };
    }
    case 'session.status':
      return { kind: 'session_status', eventId, status: requireString(payload, 'status', 'payload.status'), at: envelopeAt };
    default:
      return { kind: 'ignored', eventId, event, reason: `event ${event} is not processed` };
  }
}

function normaliseChatId(chatId: string): string {
  const phone = phoneOfJid(chatId);
  return phone && chatId.endsWith('@s.whatsapp.net') ? `${phone}@c.us` : chatId;
}

function parseMessageEvent(eventId: string, event: 'message' | 'message.any', payload: Json): WahaEvent {
  const externalId = requireString(payload, 'id', 'payload.id');
  const { fromMe, chatId: rawChatId, rawId, participant: idParticipant } = splitMessageId(externalId);
  const chatId = normaliseChatId(rawChatId);
  if (typeof payload.fromMe !== 'boolean') throw new ValidationError('payload.fromMe', 'must be a boolean');
  const sentAt = secondsToIso(payload.timestamp, 'payload.timestamp');
  const ignore = (reason: string): WahaEvent => ({ kind: 'ignored', eventId, event, reason });

  const kind = chatKind(chatId);
  if (kind === 'broadcast') return ignore('status and broadcast messages are not conversations');
  if (kind === 'newsletter') return ignore('channel (newsletter) messages are not conversations');
  if (kind === 'unknown') throw new ValidationError('payload.id', `has an unknown chat id ${chatId}`);

  const data = isObject(payload._data) ? payload._data : {};
  const info = isObject(data.Info) ? data.Info : {};
  const pushName = str(info.PushName) ?? str(data.pushName) ?? str(data.notifyName);

  let contact: InboundMessage['contact'];
  let group: InboundMessage['group'] = null;
  if (kind === 'group') {
    if (payload.fromMe) return ignore('own messages in groups are not tracked');
    const participant = str(payload.participant) ?? str(payload.author) ?? idParticipant;
    if (!participant) throw new ValidationError('payload.participant', 'is required for group messages');
    const phone = phoneOfJid(participant) ?? phoneOfJid(str(info.SenderAlt));
    if (!phone) return ignore('group participant has a hidden id (@lid) and no phone number');
    contact = { phone, whatsappId: participant, name: pushName };
    group = { chatId, participant };
  } else {
    // In 1:1 chats the chat id is the counterparty for both directions (GOWS/NOWEB);
    // a @lid chat carries the phone in _data.Info.SenderAlt / Chat when known.
    // A phone chat (@c.us) whose user part is no phone number is not taken from _data instead: the
    // message would be filed under a chat id no reply can reach (found by fuzzing).
    if (kind === 'direct' && !phoneOfJid(chatId)) return ignore(`chat id ${chatId} is not a phone number`);
    const phone = phoneOfJid(chatId) ?? phoneOfJid(str(info.SenderAlt)) ?? phoneOfJid(str(info.Chat));
    if (!phone) return ignore('chat has a hidden id (@lid) and no phone number');
    contact = { phone, whatsappId: chatId, name: fromMe ? null : pushName };
  }

  const message: Json = isObject(data.Message) ? data.Message : isObject(data.message) ? data.message : {};
  const mediaIn = isObject(payload.media) ? payload.media : null;
  const location = isObject(payload.location) ? payload.location : null;
  const vCards = Array.isArray(payload.vCards) ? payload.vCards.filter((v): v is string => typeof v === 'string') : [];
  const replyTo = isObject(payload.replyTo) ? payload.replyTo : null;
  const source = payload.source === 'api' || payload.source === 'app' ? payload.source : null;

  return {
    kind: 'message',
    eventId,
    event,
    message: {
      externalId,
      chatId,
      rawId,
      direction: fromMe ? 'outbound' : 'inbound',
      source,
      sentAt,
      type: messageType(payload, message, mediaIn, location, vCards),
      text: str(payload.body),
      media: mediaIn
        ? { url: str(mediaIn.url), mimetype: str(mediaIn.mimetype), filename: str(mediaIn.filename), error: mediaIn.error == null ? null : String(mediaIn.error) }
        : payload.hasMedia === true
          ? { url: null, mimetype: null, filename: null, error: null }
          : null,
      ack: typeof payload.ack === 'number' ? payload.ack : null,
      contact,
      group,
      replyTo: replyTo ? { id: str(replyTo.id), body: str(replyTo.body) } : null,
      location: location
        ? { latitude: String(location.latitude ?? ''), longitude: String(location.longitude ?? ''), name: str(location.name), address: str(location.address) }
        : null,
      vCards,
      adReferral: findAdReferral(data),
    },
  };
}

const MESSAGE_KEY_TYPES: [string, InboundMessageType][] = [
  ['imageMessage', 'image'], ['videoMessage', 'video'], ['ptvMessage', 'video'], ['audioMessage', 'audio'],
  ['documentMessage', 'document'], ['documentWithCaptionMessage', 'document'], ['stickerMessage', 'sticker'],
  ['locationMessage', 'location'], ['liveLocationMessage', 'location'], ['contactMessage', 'contact'],
  ['contactsArrayMessage', 'contact'], ['reactionMessage', 'reaction'], ['conversation', 'text'], ['extendedTextMessage', 'text'],
];

function messageType(payload: Json, message: Json, media: Json | null, location: Json | null, vCards: string[]): InboundMessageType {
  for (const [key, type] of MESSAGE_KEY_TYPES) if (key in message) return type;
  if (location) return 'location';
  if (vCards.length > 0) return 'contact';
  const mimetype = media ? str(media.mimetype) : null;
  if (mimetype) {
    if (mimetype === 'image/webp') return 'sticker';
    if (mimetype.startsWith('image/')) return 'image';
    if (mimetype.startsWith('video/')) return 'video';
    if (mimetype.startsWith('audio/')) return 'audio';
    return 'document';
  }
  if (payload.hasMedia === true) return 'other';
  return typeof payload.body === 'string' && payload.body.length > 0 ? 'text' : 'other';
}

/** Click-to-WhatsApp referral: `externalAdReply` anywhere under `_data`, any key casing, GOWS or NOWEB spelling. */
export function findAdReferral(data: unknown): AdReferral | null {
  const found = findKey(data, 'externaladreply', 8);
  if (!found || !isObject(found.value)) return null;
  const ad = found.value;
  const pick = (...keys: string[]) => {
    for (const key of Object.keys(ad)) if (keys.includes(key.toLowerCase())) return str(ad[key]) ?? (typeof ad[key] === 'number' ? String(ad[key]) : null);
    return null;
  };
  const parent = found.parent;
  const entry = parent ? Object.keys(parent).find((k) => k.toLowerCase() === 'entrypointconversionsource') : undefined;
  return {
    sourceType: pick('sourcetype'),
    sourceId: pick('sourceid'),
    sourceUrl: pick('sourceurl'),
    ctwaClid: pick('ctwaclid'),
    title: pick('title'),
    body: pick('body'),
    entryPoint: entry && parent ? str(parent[entry]) : null,
    raw: ad,
  };
}

function findKey(value: unknown, lowerKey: string, depth: number): { value: unknown; parent: Json } | null {
  if (depth < 0 || !isObject(value)) return null;
  for (const [key, child] of Object.entries(value)) {
    if (key.toLowerCase() === lowerKey) return { value: child, parent: value };
  }
  for (const child of Object.values(value)) {
    const hit = findKey(child, lowerKey, depth - 1);
    if (hit) return hit;
  }
  return null;
}
