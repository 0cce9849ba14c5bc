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
  const whole = Math.floor(unixSeconds);
  const day = Math.floor(whole / 86_400);
  // A data set formats 100,000 of these, mostly a few per day in a row: the date part is reused.
  if (day !== lastIsoDay.day) lastIsoDay = { day, prefix: new Date(day * 86_400_000).toISOString().slice(0, 11) };
  const inDay = whole - day * 86_400;
  return `${lastIsoDay.prefix}${twoDigits(Math.floor(inDay / 3600))}:${twoDigits(Math.floor(inDay / 60) % 60)}:${twoDigits(inDay % 60)}Z`;
}

let lastIsoDay = { day: Number.NaN, prefix: '' };
const twoDigits = (n: number) => (n < 10 ? `0${n}` : String(n));

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

export const MEDIA_KINDS = ['image', 'audio', 'video', 'document'] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];

/** Any attachment: an image, a voice note (`audio`, sent as PTT), a video or a document (with its file name). */
export interface MediaContent {
  kind: MediaKind;
  mimetype: string;
  fileLength: number;
  /** Images and videos. */
  width?: number;
  height?: number;
  /** Voice notes and videos. */
  seconds?: number;
  /** Documents only: WAHA reports it as `media.filename`. */
  fileName?: string | null;
  /** Documents only. */
  pageCount?: number;
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
  /** Text, or the caption of an image, video or document. */
  text: string | null;
  /** Shorthand for `media: {kind: 'image', ...}` (kept for callers that only send images). */
  image?: ImageContent | null;
  media?: MediaContent | null;
  /** Group author (`…@lid` or `…@c.us`); ignored outside groups. Own group messages use `me.id`. */
  author?: string | null;
  /** Phone JID of a `@lid` author (`_data.Info.SenderAlt`). */
  authorPhoneJid?: string | null;
  /** Phone JID behind a 1:1 `@lid` chat: whatsmeow's `SenderAlt` on their messages, `RecipientAlt` on ours. */
  chatPhoneJid?: string | null;
  adReferral?: AdReferral | null;
  quoted?: QuotedMessage | null;
  ack: Ack;
  /** `/api/files/...` URL of the downloaded media. */
  mediaUrl?: string | null;
}

/** A `WAMessage` exactly as WAHA's GOWS engine shapes it for `message`, `message.any` and history (§3.4). */
export function buildMessage(spec: MessageSpec): WAMessage {
  const media: MediaContent | null = spec.media ?? (spec.image ? { kind: 'image', ...spec.image } : null);
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
    Type: media ? 'media' : 'text',
    PushName: spec.pushName,
    Timestamp: isoSeconds(spec.timestamp),
  };
  if (media) info.MediaType = WHATSMEOW_MEDIA_TYPES[media.kind];
  if (group && !spec.fromMe && author?.endsWith('@lid')) {
    if (spec.authorPhoneJid) info.SenderAlt = spec.authorPhoneJid;
    info.AddressingMode = 'lid';
  }
  if (!group && spec.chatId.endsWith('@lid') && spec.chatPhoneJid) {
    info[spec.fromMe ? 'RecipientAlt' : 'SenderAlt'] = spec.chatPhoneJid;
    info.AddressingMode = 'lid';
  }

  const contextInfo = buildContextInfo(spec);
  const message: Record<string, unknown> = {};
  if (media) {
    message[MEDIA_MESSAGE_KEYS[media.kind]] = mediaMessageOf(media, spec.rawId, spec.text, contextInfo);
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
    hasMedia: media !== null,
    media: media
      ? {
          url: spec.mediaUrl ?? null,
          mimetype: media.mimetype,
          filename: media.kind === 'document' ? (media.fileName ?? null) : null,
          error: null,
        }
      : null,
    ack: spec.ack,
    ackName: ackName(spec.ack),
    vCards: [],
    replyTo: spec.quoted ? replyToOf(spec.quoted) : null,
    _data: { Info: info, Message: message, Status: gowsStatusOf(spec.ack) },
  };
}

/** whatsmeow's `Info.MediaType` (the stanza's `mediatype`): a voice note is `ptt`. */
const WHATSMEOW_MEDIA_TYPES: Record<MediaKind, string> = {
  image: 'image',
  audio: 'ptt',
  video: 'video',
  document: 'document',
};
const MEDIA_MESSAGE_KEYS: Record<MediaKind, string> = {
  image: 'imageMessage',
  audio: 'audioMessage',
  video: 'videoMessage',
  document: 'documentMessage',
};
/** WhatsApp CDN path segments by kind (only their look matters). */
const CDN_PATH_PREFIXES: Record<MediaKind, string> = {
  image: 't62.7118-24',
  audio: 't62.7117-24',
  video: 't62.7161-24',
  document: 't62.7119-24',
};

/** The `_data.Message.<kind>Message` of an attachment, in whatsmeow's JSON spelling. */
function mediaMessageOf(
  media: MediaContent,
  rawId: string,
  caption: string | null,
  contextInfo: Record<string, unknown> | null,
): Record<string, unknown> {
  const fakeCdnPath = `/o1/v/${CDN_PATH_PREFIXES[media.kind]}/f2/m231/AQP${rawId}?ccb=9-4&oh=01_Q5AaIsim&oe=69D2A1B3&_nc_sid=e6ed6c`;
  const common = { URL: `https://mmg.whatsapp.net${fakeCdnPath}&mms3=true`, mimetype: media.mimetype };
  const context = contextInfo ? { contextInfo } : {};
  switch (media.kind) {
    case 'image':
      return {
        ...common,
        ...(caption ? { caption } : {}),
        fileLength: media.fileLength,
        height: media.height,
        width: media.width,
        directPath: fakeCdnPath,
        ...context,
      };
    case 'audio':
      // Voice notes carry no caption.
      return {
        ...common,
        fileLength: media.fileLength,
        seconds: media.seconds,
        PTT: true,
        directPath: fakeCdnPath,
        ...context,
      };
    case 'video':
      return {
        ...common,
        ...(caption ? { caption } : {}),
        fileLength: media.fileLength,
        seconds: media.seconds,
        height: media.height,
        width: media.width,
        directPath: fakeCdnPath,
        ...context,
      };
    case 'document':
      return {
        ...common,
        title: media.fileName ?? '',
        fileLength: media.fileLength,
        pageCount: media.pageCount,
        fileName: media.fileName ?? '',
        ...(caption ? { caption } : {}),
        directPath: fakeCdnPath,
        ...context,
      };
  }
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
  return applyGows2025Shape(structuredClone(message));
}

/** toGows2025Shape in place, for a message built just now (no clone: a data set spells thousands so). */
export function applyGows2025Shape(message: WAMessage): WAMessage {
  const chatId = message.from;
  message.id = String(message._data.Info.ID);
  message.from = toJid(chatId);
  if (message.participant) message.participant = toJid(message.participant);
  if (message.to) message.to = toJid(message.to);
  // Those builds filled MediaType for every message and gave a 1:1 sender its @lid as SenderAlt.
  const info = message._data.Info;
  info.MediaType ??= '';
  if (!message.fromMe && !isGroupChat(chatId) && chatId.endsWith('@c.us'))
    info.SenderAlt ??= lidForPhone(phoneOf(chatId));
  return message;
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
  const digits = rawId
    .replace(/[^0-9]/g, '')
    .padEnd(6, '0')
    .slice(0, 6);
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
export function buildAckBody(
  message: WAMessage,
  ack: Ack,
  timestamp: number,
  reader: string | null = null,
): WAMessageAckBody {
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
function protocolAction(
  me: MeInfo,
  target: WAMessage,
  rawId: string,
  timestamp: number,
  pushName: string,
  protocolMessage: Record<string, unknown>,
  body: string | null,
): WAMessage {
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
export function buildRevoked(
  me: MeInfo,
  target: WAMessage,
  rawId: string,
  timestamp: number,
  pushName: string,
): WAMessageRevokedBody {
  const after = protocolAction(
    me,
    target,
    rawId,
    timestamp,
    pushName,
    { key: protocolMessageKey(target), type: 0 },
    null,
  );
  return { after, before: null, revokedMessageId: String(target._data.Info.ID), _data: after._data as GowsMessageData };
}

/** `message.edited`: the edit action with the new `body` and `editedMessageId` (bare raw id of the original). */
export function buildEdited(
  me: MeInfo,
  target: WAMessage,
  rawId: string,
  timestamp: number,
  pushName: string,
  newText: string,
): WAMessage & { editedMessageId: string } {
  const action = protocolAction(
    me,
    target,
    rawId,
    timestamp,
    pushName,
    {
      key: protocolMessageKey(target),
      type: 14,
      editedMessage: { conversation: newText },
      timestampMS: timestamp * 1000,
    },
    newText,
  );
  return { ...action, editedMessageId: String(target._data.Info.ID) };
}
