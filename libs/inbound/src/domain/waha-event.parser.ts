import { ValidationError } from '@app/shared';
import { type AdReferral, type InboundMessage, type InboundMessageType } from './inbound-message';

/** What a WAHA webhook means for us. The channel comes from the URL, never from the body.
 *  Every message id in it is canonical (see canonicalMessageId), whatever spelling WAHA used. */
export type WahaEvent =
  | { kind: 'message'; eventId: string; event: 'message' | 'message.any'; message: InboundMessage }
  | { kind: 'ack'; eventId: string; externalId: string; ack: number; at: string }
  | { kind: 'revoked'; eventId: string; chatId: string; rawId: string; at: string }
  | {
      kind: 'reaction';
      eventId: string;
      reactionExternalId: string;
      /** The reacted-to message. A bare `reaction.messageId` does not say whose message it is: then this
       *  is the likelier direction (the other party's reaction is to our message, ours to theirs) and
       *  `alternativeTargetExternalId` the other one. */
      targetExternalId: string;
      alternativeTargetExternalId: string | null;
      reactor: string;
      emoji: string;
      at: string;
    }
  | { kind: 'session_status'; eventId: string; status: string; at: string }
  | { kind: 'ignored'; eventId: string; event: string; reason: string };

type Json = Record<string, unknown>;

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

/** Plausible WhatsApp times (the same bounds the message aggregate enforces): anything outside is a
 *  unit mistake or garbage, answered 400 here rather than failing later (or throwing RangeError). */
const EARLIEST_MS = Date.UTC(2009, 0, 1);
const LATEST_MS = Date.UTC(2100, 0, 1);

function secondsToIso(value: unknown, path: string): string {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    throw new ValidationError(path, 'must be unix seconds');
  // WAHA message timestamps are seconds (WEBJS reactions may carry a fraction); ms values would
  // land in the year 50000+, so they are rejected rather than misread (the original divided by 1000).
  if (value > 1e11) throw new ValidationError(path, 'must be unix seconds, not milliseconds');
  const ms = Math.round(value * 1000);
  if (ms < EARLIEST_MS || ms >= LATEST_MS)
    throw new ValidationError(path, 'must be unix seconds between 2009 and 2100');
  return new Date(ms).toISOString();
}

/** The envelope `timestamp` is unix MILLISECONDS (§3.2); absent means now. */
function envelopeTimeIso(value: unknown): string {
  if (value === undefined || value === null) return new Date().toISOString();
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new ValidationError('timestamp', 'must be unix milliseconds');
  if (value < EARLIEST_MS || value >= LATEST_MS)
    throw new ValidationError('timestamp', 'must be unix milliseconds between 2009 and 2100');
  return new Date(Math.round(value)).toISOString();
}

/** What the message aggregate stores at most (message-content.ts): longer values are a 400 here,
 *  not a saga that fails after its 202. */
const TEXT_MAX_LENGTH = 65_536;
const SHORT_MAX_LENGTH = 2_048;
const MAX_VCARDS = 100;
const MAX_ID_LENGTH = 512;

function limited(value: string | null, path: string, max: number): string | null {
  if (value !== null && value.replaceAll('\u0000', '').length > max)
    throw new ValidationError(path, `must be at most ${max} characters`);
  return value;
}

/** `<user>@<server>` as the shared id parser (wa-message-id) accepts it. */
// eslint-disable-next-line no-control-regex
const STORABLE_JID = /^[^@_\s\u0000-\u001f\u007f]+@[^@_\s\u0000-\u001f\u007f]+$/;

/** WhatsApp's raw message id as the shared id parser accepts it. */
// eslint-disable-next-line no-control-regex
const STORABLE_RAW_ID = /^[^@_\s\u0000-\u001f\u007f]{1,256}$/;

function assertStorableJid(jid: string, path: string): void {
  if (!STORABLE_JID.test(jid) || jid.length > MAX_ID_LENGTH)
    throw new ValidationError(path, `has an invalid WhatsApp id ${JSON.stringify(jid.slice(0, 64))}`);
}

/** Splits `{fromMe}_{chatId}_{rawId}[_{participant}]`; chat ids and raw ids never contain `_`. */
export function splitMessageId(
  id: string,
  path = 'payload.id',
): { fromMe: boolean; chatId: string; rawId: string; participant: string | null } {
  // The message context's own limit, named by the payload field here (found by fuzzing).
  if (id.length > MAX_ID_LENGTH) throw new ValidationError(path, `must be at most ${MAX_ID_LENGTH} characters`);
  const parts = id.split('_');
  if (
    parts.length < 3 ||
    parts.length > 4 ||
    (parts[0] !== 'true' && parts[0] !== 'false') ||
    !parts[1] ||
    !parts[2] ||
    parts[3] === ''
  ) {
    throw new ValidationError(
      path,
      'must be a WAHA message id {fromMe}_{chatId}_{messageId} or a bare WhatsApp message id',
    );
  }
  return { fromMe: parts[0] === 'true', chatId: parts[1], rawId: parts[2], participant: parts[3] ?? null };
}

/** WhatsApp's own message id (`3A0000C5C3...`, `AC4A...`, `3EB0...`: upper-case letters and digits),
 *  as GOWS builds of 2025 send it in `payload.id`. */
const BARE_MESSAGE_ID = /^[0-9A-Z]{8,128}$/;

function isBareMessageId(id: string): boolean {
  return !id.includes('_') && BARE_MESSAGE_ID.test(id);
}

/** `5511999990001@c.us`, `5511999990001@s.whatsapp.net`, `5511999990001:12@s.whatsapp.net` → digits. */
export function phoneOfJid(jid: string | null | undefined): string | null {
  if (!jid) return null;
  // E.164 digits, as PhoneNumber accepts them: no leading 0.
  const match = /^([1-9]\d{7,14})(?::\d+)?@(c\.us|s\.whatsapp\.net)$/.exec(jid);
  return match ? match[1]! : null;
}

/**
 * One spelling per WhatsApp address: the device suffix goes and the phone server is `c.us`
 * (`5511999990001:12@s.whatsapp.net` → `5511999990001@c.us`, `123:4@lid` → `123@lid`); groups and
 * anything else stay as they are.
 */
export function canonicalJid(jid: string): string {
  const match = /^([^@:_\s]+)(?::\d+)?@(c\.us|s\.whatsapp\.net|lid)$/.exec(jid);
  if (!match) return jid;
  return `${match[1]}@${match[2] === 'lid' ? 'lid' : 'c.us'}`;
}

/** `{fromMe}_{chatId}_{rawId}[_{participant}]` with canonical jids: the one external id of a message. */
export function canonicalMessageId(id: {
  fromMe: boolean;
  chatId: string;
  rawId: string;
  participant: string | null;
}): string {
  return `${id.fromMe}_${id.chatId}_${id.rawId}${id.participant ? `_${id.participant}` : ''}`;
}

function chatKind(chatId: string): 'direct' | 'lid' | 'group' | 'broadcast' | 'newsletter' | 'unknown' {
  if (chatId.endsWith('@g.us')) return 'group';
  if (chatId.endsWith('@newsletter')) return 'newsletter';
  if (chatId.endsWith('@broadcast')) return 'broadcast';
  if (chatId.endsWith('@lid')) return 'lid';
  if (chatId.endsWith('@c.us') || chatId.endsWith('@s.whatsapp.net')) return 'direct';
  return 'unknown';
}

/**
 * Acks and reactions name a message that must already exist (or arrive soon): one in a chat no stored
 * message can have would be held pending forever, so it is refused (found by fuzzing).
 */
function assertChatCanHoldMessages(chatId: string, path: string): void {
  const kind = chatKind(chatId);
  if (kind === 'unknown' || (kind === 'direct' && !phoneOfJid(chatId))) {
    throw new ValidationError(path, `has a chat id no stored message can have: ${chatId}`);
  }
}

/** A message's id parts, canonical, from a prefixed `id` or a bare one plus `from` / `_data.Info`. */
interface MessageAddress {
  fromMe: boolean;
  chatId: string;
  rawId: string;
  participant: string | null;
}

/**
 * Reads the id of a message-shaped object (`payload`, `payload.after`). A bare id takes its chat from
 * `from` (GOWS/NOWEB: the chat in 1:1 and the group in groups), else `_data.Info.Chat`, its direction
 * from `fromMe` (else `fromMeFallback`) and, in groups, its author from `participant`. A 1:1 `@lid`
 * chat whose phone the event reveals becomes `<phone>@c.us`, so both spellings of one person are one chat.
 */
function readMessageAddress(
  msg: Json,
  path: string,
  phone: PhoneResolver,
  fromMeFallback: boolean | null,
): MessageAddress {
  const id = requireString(msg, 'id', `${path}.id`);
  const info = infoOf(msg);
  let address: MessageAddress;
  if (isBareMessageId(id)) {
    const fromMe = typeof msg.fromMe === 'boolean' ? msg.fromMe : fromMeFallback;
    if (fromMe === null) throw new ValidationError(`${path}.fromMe`, 'must be a boolean when the message id is bare');
    const chat = str(msg.from) ?? str(info.Chat) ?? (isObject(msg._data) ? str(msg._data.Chat) : null);
    if (!chat) throw new ValidationError(`${path}.from`, 'must be the chat id when the message id is bare');
    const chatId = canonicalJid(chat);
    const author = chatKind(chatId) === 'group' ? (str(msg.participant) ?? str(msg.author) ?? str(info.Sender)) : null;
    address = { fromMe, chatId, rawId: id, participant: author ? canonicalJid(author) : null };
  } else {
    const parts = splitMessageId(id, `${path}.id`);
    address = {
      ...parts,
      chatId: canonicalJid(parts.chatId),
      participant: parts.participant ? canonicalJid(parts.participant) : null,
    };
  }
  assertStorableJid(address.chatId, isBareMessageId(id) ? `${path}.from` : `${path}.id`);
  if (address.participant)
    assertStorableJid(address.participant, isBareMessageId(id) ? `${path}.participant` : `${path}.id`);
  if (!STORABLE_RAW_ID.test(address.rawId))
    throw new ValidationError(`${path}.id`, 'must carry a raw message id without whitespace or control characters');
  const resolved = { ...address, chatId: phone.chat(address.chatId) };
  if (canonicalMessageId(resolved).length > MAX_ID_LENGTH)
    throw new ValidationError(`${path}.id`, `must be at most ${MAX_ID_LENGTH} characters`);
  return resolved;
}

const infoOf = (msg: Json): Json => {
  const data = isObject(msg._data) ? msg._data : {};
  return isObject(data.Info) ? data.Info : {};
};

/**
 * Maps a 1:1 chat's hidden id (`@lid`) to `<phone>@c.us` when the event names the counterparty's
 * phone somewhere (`_data.Info.SenderAlt`, `Chat`, `Sender`, ...). Our own number never counts: a
 * fromMe message's Sender is us.
 */
interface PhoneResolver {
  /** The counterparty's phone, if the event reveals it. */
  readonly counterparty: string | null;
  chat(chatId: string): string;
}

function phoneResolver(candidates: unknown[], ownPhone: string | null): PhoneResolver {
  let counterparty: string | null = null;
  for (const candidate of candidates) {
    const phone = phoneOfJid(str(candidate));
    if (phone && phone !== ownPhone) {
      counterparty = phone;
      break;
    }
  }
  return {
    counterparty,
    chat: (chatId) => (chatKind(chatId) === 'lid' && counterparty ? `${counterparty}@c.us` : chatId),
  };
}

/** Where the counterparty's phone jid may be, for a message-shaped object sent or received. */
function counterpartyJidsOfMessage(msg: Json, fromMe: boolean | null): unknown[] {
  const data = isObject(msg._data) ? msg._data : {};
  const info = infoOf(msg);
  const key = isObject(data.key) ? data.key : {};
  const common = [info.Chat, key.remoteJid, key.remoteJidAlt];
  // whatsmeow: SenderAlt/Sender are the author (the counterparty only when they wrote), RecipientAlt
  // the other side of our own message; Baileys: senderPn. WEBJS puts the sender in `from`, so it
  // names the counterparty only for their messages.
  if (fromMe === false) return [msg.from, ...common, info.SenderAlt, info.Sender, key.senderPn];
  return fromMe === true ? [...common, info.RecipientAlt] : [msg.from, ...common];
}

function ownPhoneOf(body: Json): string | null {
  const me = isObject(body.me) ? body.me : {};
  return phoneOfJid(str(me.id)) ?? phoneOfJid(str(me.jid));
}

/** Parses and validates a WAHA webhook body. Malformed bodies throw a ValidationError naming the field. */
export function parseWahaEvent(body: unknown): WahaEvent {
  if (!isObject(body)) throw new ValidationError('body', 'must be a JSON object');
  const eventId = requireString(body, 'id', 'id');
  const event = requireString(body, 'event', 'event');
  requireString(body, 'session', 'session');
  const payload = requireObject(body, 'payload', 'payload');
  const envelopeAt = envelopeTimeIso(body.timestamp);
  const ownPhone = ownPhoneOf(body);

  switch (event) {
    case 'message':
    case 'message.any':
      return parseMessageEvent(eventId, event, payload, ownPhone);
    case 'message.ack': {
      // A receipt's _data is whatsmeow's Receipt: Chat/Sender (the reader in 1:1) at its top level.
      const receipt = isObject(payload._data) ? payload._data : {};
      const phone = phoneResolver(
        [payload.from, receipt.Chat, receipt.Sender, receipt.SenderAlt, receipt.RecipientAlt],
        ownPhone,
      );
      // Acks are receipts of our own messages (§3.5): a bare id without fromMe is ours.
      const address = readMessageAddress(payload, 'payload', phone, true);
      assertChatCanHoldMessages(address.chatId, 'payload.id');
      const ack = payload.ack;
      if (typeof ack !== 'number' || !Number.isInteger(ack) || ack < -1 || ack > 4)
        throw new ValidationError('payload.ack', 'must be an integer from -1 to 4');
      return { kind: 'ack', eventId, externalId: canonicalMessageId(address), ack, at: envelopeAt };
    }
    case 'message.revoked': {
      const rawId = requireString(payload, 'revokedMessageId', 'payload.revokedMessageId');
      if (!STORABLE_RAW_ID.test(rawId))
        throw new ValidationError('payload.revokedMessageId', 'must be a bare WhatsApp message id');
      const after = isObject(payload.after) ? payload.after : null;
      const outerInfo = infoOf(payload);
      let chatId: string;
      if (after && typeof after.id === 'string') {
        const fromMe =
          typeof after.fromMe === 'boolean'
            ? after.fromMe
            : typeof infoOf(after).IsFromMe === 'boolean'
              ? (infoOf(after).IsFromMe as boolean)
              : null;
        const phone = phoneResolver(
          [...counterpartyJidsOfMessage(after, fromMe), ...counterpartyJidsOfMessage(payload, fromMe)],
          ownPhone,
        );
        // The revoke action's own direction does not matter here, only its chat.
        chatId = readMessageAddress(after, 'payload.after', phone, fromMe ?? false).chatId;
      } else {
        const chat = str(after?.from) ?? str(payload.from) ?? str(outerInfo.Chat);
        if (!chat) throw new ValidationError('payload.after.id', 'must identify the chat of the revoked message');
        assertStorableJid(canonicalJid(chat), 'payload.after.from');
        chatId = phoneResolver(counterpartyJidsOfMessage(payload, null), ownPhone).chat(canonicalJid(chat));
      }
      const at =
        after && after.timestamp != null ? secondsToIso(after.timestamp, 'payload.after.timestamp') : envelopeAt;
      return { kind: 'revoked', eventId, chatId, rawId, at };
    }
    case 'message.reaction':
      return parseReactionEvent(eventId, payload, ownPhone);
    case 'session.status':
      return {
        kind: 'session_status',
        eventId,
        status: requireString(payload, 'status', 'payload.status'),
        at: envelopeAt,
      };
    default:
      return { kind: 'ignored', eventId, event, reason: `event ${event} is not processed` };
  }
}

/**
 * One item of a chat's history (`GET /api/{session}/chats/{chatId}/messages`): a `WAMessage`, the
 * payload a `message.any` webhook carries (waha-api.md 3.4), so it is read by the same rules and
 * accepts the same id shapes. `ownPhone` is the session's own number, when known. Malformed items
 * throw a ValidationError naming the field (`payload.*`).
 */
export function parseWahaHistoryMessage(
  item: unknown,
  ownPhone: string | null = null,
): { kind: 'message'; message: InboundMessage } | { kind: 'ignored'; reason: string } {
  if (!isObject(item)) throw new ValidationError('payload', 'must be a JSON object');
  const parsed = parseMessageEvent('history', 'message.any', item, ownPhone);
  if (parsed.kind === 'message') return { kind: 'message', message: parsed.message };
  return { kind: 'ignored', reason: parsed.kind === 'ignored' ? parsed.reason : 'not a message' };
}

function parseReactionEvent(eventId: string, payload: Json, ownPhone: string | null): WahaEvent {
  const fromMe = typeof payload.fromMe === 'boolean' ? payload.fromMe : null;
  const phone = phoneResolver(counterpartyJidsOfMessage(payload, fromMe), ownPhone);
  const own = readMessageAddress(payload, 'payload', phone, fromMe ?? false);
  const reaction = requireObject(payload, 'reaction', 'payload.reaction');
  const targetId = requireString(reaction, 'messageId', 'payload.reaction.messageId');
  let targetExternalId: string;
  let alternativeTargetExternalId: string | null = null;
  if (isBareMessageId(targetId)) {
    // Same chat as the reaction; in groups the target's author is unknown, and acks, reactions and
    // revokes match on chat + raw id only, so none is needed.
    const likelyOurs = !own.fromMe;
    targetExternalId = canonicalMessageId({
      fromMe: likelyOurs,
      chatId: own.chatId,
      rawId: targetId,
      participant: null,
    });
    alternativeTargetExternalId = canonicalMessageId({
      fromMe: !likelyOurs,
      chatId: own.chatId,
      rawId: targetId,
      participant: null,
    });
  } else {
    const target = splitMessageId(targetId, 'payload.reaction.messageId');
    assertStorableJid(canonicalJid(target.chatId), 'payload.reaction.messageId');
    if (target.participant) assertStorableJid(canonicalJid(target.participant), 'payload.reaction.messageId');
    if (!STORABLE_RAW_ID.test(target.rawId))
      throw new ValidationError(
        'payload.reaction.messageId',
        'must carry a raw message id without whitespace or control characters',
      );
    const targetChatId = phone.chat(canonicalJid(target.chatId));
    assertChatCanHoldMessages(targetChatId, 'payload.reaction.messageId');
    targetExternalId = canonicalMessageId({
      ...target,
      chatId: targetChatId,
      participant: target.participant ? canonicalJid(target.participant) : null,
    });
  }
  if (typeof reaction.text !== 'string')
    throw new ValidationError('payload.reaction.text', 'must be a string (empty removes the reaction)');
  const author = str(payload.participant);
  const reactor = author ? canonicalJid(author) : own.chatId;
  if (author) assertStorableJid(reactor, 'payload.participant');
  return {
    kind: 'reaction',
    eventId,
    reactionExternalId: canonicalMessageId(own),
    targetExternalId,
    alternativeTargetExternalId,
    reactor,
    emoji: reaction.text,
    at: secondsToIso(payload.timestamp, 'payload.timestamp'),
  };
}

function parseMessageEvent(
  eventId: string,
  event: 'message' | 'message.any',
  payload: Json,
  ownPhone: string | null,
): WahaEvent {
  if (payload.fromMe !== undefined && typeof payload.fromMe !== 'boolean')
    throw new ValidationError('payload.fromMe', 'must be a boolean');
  const data = isObject(payload._data) ? payload._data : {};
  const info = infoOf(payload);
  const infoFromMe = typeof info.IsFromMe === 'boolean' ? info.IsFromMe : null;
  const declaredFromMe = typeof payload.fromMe === 'boolean' ? payload.fromMe : infoFromMe;
  const phone = phoneResolver(counterpartyJidsOfMessage(payload, declaredFromMe), ownPhone);
  const address = readMessageAddress(payload, 'payload', phone, infoFromMe);
  const { fromMe, chatId, rawId } = address;
  const sentAt = secondsToIso(payload.timestamp, 'payload.timestamp');
  const ignore = (reason: string): WahaEvent => ({ kind: 'ignored', eventId, event, reason });

  const kind = chatKind(chatId);
  if (kind === 'broadcast') return ignore('status and broadcast messages are not conversations');
  if (kind === 'newsletter') return ignore('channel (newsletter) messages are not conversations');
  if (kind === 'unknown') throw new ValidationError('payload.id', `has an unknown chat id ${chatId}`);

  // WAMessage has no top-level push name; the engines keep it in _data (GOWS Info.PushName, NOWEB
  // pushName, WEBJS notifyName). A top-level one, should a build send it, wins.
  const pushName = str(payload.pushName) ?? str(info.PushName) ?? str(data.pushName) ?? str(data.notifyName);

  let contact: InboundMessage['contact'];
  let group: InboundMessage['group'] = null;
  const { participant } = address;
  if (kind === 'group') {
    if (fromMe) return ignore('own messages in groups are not tracked');
    const author = str(payload.participant) ?? str(payload.author) ?? address.participant ?? str(info.Sender);
    if (!author) throw new ValidationError('payload.participant', 'is required for group messages');
    const authorJid = canonicalJid(author);
    assertStorableJid(authorJid, 'payload.participant');
    const authorPhone = phoneOfJid(authorJid) ?? phoneResolver([info.SenderAlt, info.Sender], ownPhone).counterparty;
    if (!authorPhone) return ignore('group participant has a hidden id (@lid) and no phone number');
    contact = { phone: authorPhone, whatsappId: authorJid, name: pushName };
    group = { chatId, participant: authorJid };
  } else {
    // In 1:1 chats the chat id is the counterparty for both directions (GOWS/NOWEB); a @lid chat
    // was mapped to its phone above when the event carries it.
    const counterparty = phoneOfJid(chatId);
    if (!counterparty)
      return ignore(
        kind === 'direct'
          ? `chat id ${chatId} is not a phone number`
          : 'chat has a hidden id (@lid) and no phone number',
      );
    contact = { phone: counterparty, whatsappId: chatId, name: fromMe ? null : pushName };
  }

  const message: Json = isObject(data.Message) ? data.Message : isObject(data.message) ? data.message : {};
  const mediaIn = isObject(payload.media) ? payload.media : null;
  const location = isObject(payload.location) ? payload.location : null;
  const vCards = Array.isArray(payload.vCards) ? payload.vCards.filter((v): v is string => typeof v === 'string') : [];
  if (vCards.length > MAX_VCARDS) throw new ValidationError('payload.vCards', `must hold at most ${MAX_VCARDS} vCards`);
  vCards.forEach((card, i) => limited(card, `payload.vCards[${i}]`, TEXT_MAX_LENGTH));
  const coordinate = (key: 'latitude' | 'longitude', bound: number): string => {
    const raw = location?.[key];
    // Kept as WAHA sent it (a string in the spec); a number outside the globe is garbage.
    if (Math.abs(Number(raw)) > bound)
      throw new ValidationError(`payload.location.${key}`, `must be from -${bound} to ${bound}`);
    return limited(String(raw ?? ''), `payload.location.${key}`, SHORT_MAX_LENGTH)!;
  };
  const replyTo = isObject(payload.replyTo) ? payload.replyTo : null;
  const source = payload.source === 'api' || payload.source === 'app' ? payload.source : null;
  const ack = payload.ack;
  if (ack != null && (typeof ack !== 'number' || !Number.isInteger(ack) || ack < -1 || ack > 4)) {
    throw new ValidationError('payload.ack', 'must be an integer from -1 to 4 or null');
  }

  return {
    kind: 'message',
    eventId,
    event,
    message: {
      externalId: canonicalMessageId({ fromMe, chatId, rawId, participant }),
      chatId,
      rawId,
      direction: fromMe ? 'outbound' : 'inbound',
      source,
      sentAt,
      type: messageType(payload, message, mediaIn, location, vCards),
      text: limited(str(payload.body), 'payload.body', TEXT_MAX_LENGTH),
      media: mediaIn
        ? {
            url: limited(str(mediaIn.url), 'payload.media.url', SHORT_MAX_LENGTH),
            mimetype: limited(str(mediaIn.mimetype), 'payload.media.mimetype', SHORT_MAX_LENGTH),
            filename: limited(str(mediaIn.filename), 'payload.media.filename', SHORT_MAX_LENGTH),
            error:
              mediaIn.error == null ? null : limited(String(mediaIn.error), 'payload.media.error', SHORT_MAX_LENGTH),
          }
        : payload.hasMedia === true
          ? { url: null, mimetype: null, filename: null, error: null }
          : null,
      ack: typeof ack === 'number' ? ack : null,
      contact,
      group,
      replyTo: replyTo
        ? {
            id: limited(str(replyTo.id), 'payload.replyTo.id', SHORT_MAX_LENGTH),
            body: limited(str(replyTo.body), 'payload.replyTo.body', TEXT_MAX_LENGTH),
          }
        : null,
      location: location
        ? {
            latitude: coordinate('latitude', 90),
            longitude: coordinate('longitude', 180),
            name: limited(str(location.name), 'payload.location.name', SHORT_MAX_LENGTH),
            address: limited(str(location.address), 'payload.location.address', SHORT_MAX_LENGTH),
          }
        : null,
      vCards,
      adReferral: storableReferral(findAdReferral(data)),
    },
  };
}

/** The referral as the ad conversion stores it: bounded fields, a raw copy of bounded depth. */
function storableReferral(referral: AdReferral | null): AdReferral | null {
  if (!referral) return null;
  const path = 'payload._data.externalAdReply';
  for (const key of ['sourceType', 'sourceId', 'sourceUrl', 'ctwaClid', 'entryPoint'] as const)
    limited(referral[key], `${path}.${key}`, SHORT_MAX_LENGTH);
  for (const key of ['title', 'body'] as const) limited(referral[key], `${path}.${key}`, TEXT_MAX_LENGTH);
  if (jsonDepth(referral.raw) > 16) throw new ValidationError(path, 'is nested too deeply');
  return referral;
}

function jsonDepth(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let deepest = 0;
  for (const child of Object.values(value)) deepest = Math.max(deepest, jsonDepth(child));
  return deepest + 1;
}

const MESSAGE_KEY_TYPES: [string, InboundMessageType][] = [
  ['imageMessage', 'image'],
  ['videoMessage', 'video'],
  ['ptvMessage', 'video'],
  ['audioMessage', 'audio'],
  ['documentMessage', 'document'],
  ['documentWithCaptionMessage', 'document'],
  ['stickerMessage', 'sticker'],
  ['locationMessage', 'location'],
  ['liveLocationMessage', 'location'],
  ['contactMessage', 'contact'],
  ['contactsArrayMessage', 'contact'],
  ['reactionMessage', 'reaction'],
  ['conversation', 'text'],
  ['extendedTextMessage', 'text'],
];

function messageType(
  payload: Json,
  message: Json,
  media: Json | null,
  location: Json | null,
  vCards: string[],
): InboundMessageType {
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
    for (const key of Object.keys(ad))
      if (keys.includes(key.toLowerCase()))
        return str(ad[key]) ?? (typeof ad[key] === 'number' ? String(ad[key]) : null);
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
