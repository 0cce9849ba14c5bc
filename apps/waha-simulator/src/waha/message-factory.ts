import { buildMessageId, isGroupChat, lidForPhone, phoneOf, toJid } from './ids';
import {
  type Ack,
  ackName,
  type GowsMessageData,
  type MeInfo,
  type WAMessage,
  type WAMessageAckBody,
  type WAMessageReaction,
  type WAMessageRevokedBody,
  type WAReplyTo,
} from './types';

/** `2026-03-10T13:02:30Z`: whatsmeow's time format in `_data.Info.Timestamp` (seconds precision). */
export function isoSeconds(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** whatsmeow `MessageStatus` of a WAHA ack (ERROR=0, PENDING=1, SERVER_ACK=2, DELIVERY_ACK=3, READ=4, PLAYED=5). */
export function gowsStatusOf(ack: Ack): number {
  return ack + 1;
}

export interface ImageContent {
  mimetype: string;
  fileLength: number;
  width: number;
  height: number;
}

/** Click-to-WhatsApp ad context (`contextInfo.externalAdReply`, whatsmeow spelling; §3.7, illustrative). */
export interface AdReferral {
  title: string;
  body: string;
  sourceId: string;
  sourceUrl: string;
  thumbnailUrl: string;
  ctwaClid: string;
}

export interface QuotedMessage {
  rawId: string;
  /** Author of the quoted message in `@c.us`/`@lid` form. */
  author: string;
  body: string | null;
  hasMedia: boolean;
}

export interface MessageSpec {
  me: MeInfo;
  chatId: string;
  rawId: string;
  /** Unix seconds. */
  timestamp: number;
  fromMe: boolean;
  source: 'api' | 'app';
  /** Push name of the sender (own push name for own messages). */
  pushName: string;
  /** Text, or the caption of an image. */
  text: string | null;
  image?: ImageContent | null;
  /** Group author (`…@lid` or `…@c.us`); ignored outside groups. Own group messages use `me.id`. */
  author?: string | null;
  /** Phone JID of a `@lid` author (`_data.Info.SenderAlt`). */
  authorPhoneJid?: string | null;
  adReferral?: AdReferral | null;
  quoted?: QuotedMessage | null;
  ack: Ack;
  /** `/api/files/...` URL of the downloaded media. */
  mediaUrl?: string | null;
}

/** A `WAMessage` exactly as WAHA's GOWS engine shapes it for `message`, `message.any` and history (§3.4). */
export function buildMessage(spec: MessageSpec): WAMessage {
  const group = isGroupChat(spec.chatId);
  const author = group ? (spec.fromMe ? spec.me.id : (spec.author ?? null)) : null;
  if (group && !author) throw new Error('a group message needs its author');
  const id = buildMessageId({ fromMe: spec.fromMe, chatId: spec.chatId, rawId: spec.rawId, participant: author });

  const info: Record<string, unknown> = {
    Chat: toJid(spec.chatId),
    Sender: spec.fromMe ? spec.me.jid : group ? toJid(author as string) : toJid(spec.chatId),
    IsFromMe: spec.fromMe,
    IsGroup: group,
    ID: spec.rawId,
    Type: spec.image ? 'media' : 'text',
    PushName: spec.pushName,
    Timestamp: isoSeconds(spec.timestamp),
  };
  if (spec.image) info.MediaType = 'image';
  if (group && !spec.fromMe && author?.endsWith('@lid')) {
    if (spec.authorPhoneJid) info.SenderAlt = spec.authorPhoneJid;
    info.AddressingMode = 'lid';
  }

  const contextInfo = buildContextInfo(spec);
  const message: Record<string, unknown> = {};
  if (spec.image) {
    const fakeCdnPath = `/o1/v/t62.7118-24/f2/m231/AQP${spec.rawId}?ccb=9-4&oh=01_Q5AaIsim&oe=69D2A1B3&_nc_sid=e6ed6c`;
    message.imageMessage = {
      URL: `https://mmg.whatsapp.net${fakeCdnPath}&mms3=true`,
      mimetype: spec.image.mimetype,
      ...(spec.text ? { caption: spec.text } : {}),
      fileLength: spec.image.fileLength,
      height: spec.image.height,
      width: spec.image.width,
      directPath: fakeCdnPath,
      ...(contextInfo ? { contextInfo } : {}),
    };
  } else if (contextInfo || spec.source === 'api') {
    // WAHA sends text as extendedTextMessage; a phone sends plain `conversation` unless it carries context.
    message.extendedTextMessage = { text: spec.text ?? '', ...(contextInfo ? { contextInfo } : {}) };
  } else {
    message.conversation = spec.text ?? '';
  }

  return {
    id,
    timestamp: spec.timestamp,
    from: spec.chatId,
    fromMe: spec.fromMe,
    source: spec.source,
    body: spec.text,
    to: author,
    participant: author,
    hasMedia: Boolean(spec.image),
    media: spec.image ? { url: spec.mediaUrl ?? null, mimetype: spec.image.mimetype, filename: null, error: null } : null,
    ack: spec.ack,
    ackName: ackName(spec.ack),
    vCards: [],
    replyTo: spec.quoted ? replyToOf(spec.quoted) : null,
    _data: { Info: info, Message: message, Status: gowsStatusOf(spec.ack) },
  };
}

/** Payload spellings of `message`/`message.any`: WAHA 2026 (the default), or a GOWS build of 2025. */
export const PAYLOAD_SHAPES = ['waha-2026', 'gows-2025'] as const;
export type PayloadShape = (typeof PAYLOAD_SHAPES)[number];

/**
 * The same message as GOWS builds of 2025 (WAHA 2025.9.x) sent it: a bare `id` (WhatsApp's raw id,
 * no `{fromMe}_{chatId}_` prefix), `from` and `participant` as `…@s.whatsapp.net` jids, the push name
 * only in `_data.Info.PushName` (the reference, §5; fixture `webhook-message-text-gows-2025.json`).
 */
export function toGows2025Shape(message: WAMessage): WAMessage {
  const copy = structuredClone(message);
  copy.id = String(message._data.Info.ID);
  copy.from = toJid(message.from);
  if (message.participant) copy.participant = toJid(message.participant);
  if (message.to) copy.to = toJid(message.to);
  // Those builds filled MediaType for every message and gave a 1:1 sender its @lid as SenderAlt.
  const info = copy._data.Info;
  info.MediaType ??= '';
  if (!message.fromMe && !isGroupChat(message.from) && message.from.endsWith('@c.us')) info.SenderAlt ??= lidForPhone(phoneOf(message.from));
  return copy;
}

function replyToOf(quoted: QuotedMessage): WAReplyTo {
  return { id: quoted.rawId, participant: quoted.author, body: quoted.body, hasMedia: quoted.hasMedia };
}

function buildContextInfo(spec: MessageSpec): Record<string, unknown> | null {
  const context: Record<string, unknown> = {};
  if (spec.quoted) {
    context.stanzaID = spec.quoted.rawId;
    context.participant = toJid(spec.quoted.author);
    context.quotedMessage = { conversation: spec.quoted.body ?? '' };
  }
  if (spec.adReferral) {
    context.externalAdReply = {
      title: spec.adReferral.title,
      body: spec.adReferral.body,
      mediaType: 1,
      thumbnailURL: spec.adReferral.thumbnailUrl,
      sourceType: 'ad',
      sourceID: spec.adReferral.sourceId,
      sourceURL: spec.adReferral.sourceUrl,
      containsAutoReply: false,
      renderLargerThumbnail: true,
      showAdAttribution: true,
      ctwaClid: spec.adReferral.ctwaClid,
    };
    context.entryPointConversionSource = 'ctwa_ad';
    context.entryPointConversionApp = 'facebook';
  }
  return Object.keys(context).length > 0 ? context : null;
}

/** A deterministic illustrative ad for a message (ids derived from its raw id). */
export function sampleAdReferral(rawId: string): AdReferral {
  const digits = rawId.replace(/[^0-9]/g, '').padEnd(6, '0').slice(0, 6);
  return {
    title: 'Plano Pro Acme - 30% off no primeiro mês',
    body: 'Fale com a gente pelo WhatsApp',
    sourceId: `120210000000${digits}`,
    sourceUrl: `https://fb.me/sim${rawId.slice(-8).toLowerCase()}`,
    thumbnailUrl: 'https://scontent.xx.fbcdn.net/v/t45.1600-4/000000000_000000000000000_n.jpg',
    ctwaClid: `Afc${Buffer.from(rawId).toString('base64url')}`,
  };
}

/** whatsmeow receipt type of an ack: delivered is the empty type (§3.5). */
function receiptTypeOf(ack: Ack): string {
  switch (ack) {
    case 3:
      return 'read';
    case 4:
      return 'played';
    case -1:
      return 'server-error';
    default:
      return '';
  }
}

/** `message.ack` / `message.ack.group` body for a stored message; `reader` is the group member who read it. */
export function buildAckBody(message: WAMessage, ack: Ack, timestamp: number, reader: string | null = null): WAMessageAckBody {
  const group = isGroupChat(message.from);
  const rawId = String(message._data.Info.ID);
  return {
    id: message.id,
    from: message.from,
    to: null,
    participant: group ? reader : null,
    fromMe: message.fromMe,
    ack,
    ackName: ackName(ack),
    _data: {
      Chat: toJid(message.from),
      Sender: group && reader ? toJid(reader) : toJid(message.from),
      IsFromMe: false,
      IsGroup: group,
      MessageIDs: [rawId],
      Timestamp: isoSeconds(timestamp),
      Type: receiptTypeOf(ack),
      MessageSender: group ? String(message._data.Info.Sender) : '',
    },
  };
}

export interface ReactionSpec {
  chatId: string;
  rawId: string;
  timestamp: number;
  fromMe: boolean;
  /** Group member who reacted (`@lid`/`@c.us`); null in 1:1 chats. */
  reactor: string | null;
  emoji: string;
  targetMessageId: string;
}

/** `message.reaction` payload (no `_data` on GOWS); an empty emoji removes the reaction. */
export function buildReaction(spec: ReactionSpec): WAMessageReaction {
  const participant = isGroupChat(spec.chatId) ? spec.reactor : null;
  return {
    id: buildMessageId({ fromMe: spec.fromMe, chatId: spec.chatId, rawId: spec.rawId, participant }),
    timestamp: spec.timestamp,
    from: spec.chatId,
    fromMe: spec.fromMe,
    source: 'app',
    to: participant,
    participant,
    reaction: { text: spec.emoji, messageId: spec.targetMessageId },
  };
}

function protocolMessageKey(target: WAMessage): Record<string, unknown> {
  const key: Record<string, unknown> = {
    remoteJID: toJid(target.from),
    fromMe: target.fromMe,
    ID: String(target._data.Info.ID),
  };
  if (target.participant) key.participant = toJid(target.participant);
  return key;
}

/** Shared part of revoke and edit actions: a protocol message from the target's author in the target's chat. */
function protocolAction(me: MeInfo, target: WAMessage, rawId: string, timestamp: number, pushName: string, protocolMessage: Record<string, unknown>, body: string | null): WAMessage {
  const action = buildMessage({
    me,
    chatId: target.from,
    rawId,
    timestamp,
    fromMe: target.fromMe,
    source: 'app',
    pushName,
    text: body,
    author: target.participant,
    authorPhoneJid: (target._data.Info.SenderAlt as string | undefined) ?? null,
    ack: target.fromMe ? 1 : 2,
  });
  action._data.Message = { protocolMessage };
  return action;
}

/** `message.revoked`: `after` is the revoke action (its own id), `revokedMessageId` the bare raw id of the deleted message. */
export function buildRevoked(me: MeInfo, target: WAMessage, rawId: string, timestamp: number, pushName: string): WAMessageRevokedBody {
  const after = protocolAction(me, target, rawId, timestamp, pushName, { key: protocolMessageKey(target), type: 0 }, null);
  return { after, before: null, revokedMessageId: String(target._data.Info.ID), _data: after._data as GowsMessageData };
}

/** `message.edited`: the edit action with the new `body` and `editedMessageId` (bare raw id of the original). */
export function buildEdited(me: MeInfo, target: WAMessage, rawId: string, timestamp: number, pushName: string, newText: string): WAMessage & { editedMessageId: string } {
  const action = protocolAction(
    me,
    target,
    rawId,
    timestamp,
    pushName,
    { key: protocolMessageKey(target), type: 14, editedMessage: { conversation: newText }, timestampMS: timestamp * 1000 },
    newText,
  );
  return { ...action, editedMessageId: String(target._data.Info.ID) };
}
