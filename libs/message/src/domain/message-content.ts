import { ValidationError } from '@app/shared';

/** A media attachment as WAHA reports it. `url` is WAHA's own (short-lived) file URL; null when the
 *  media was not downloaded. */
export interface MessageMedia {
  url: string | null;
  mimetype: string | null;
  /** Documents only. */
  filename: string | null;
  caption: string | null;
  /** Why WAHA could not download the file, when it could not. */
  error: string | null;
}

export type MessageMediaInput = Partial<MessageMedia>;

/** The quoted message a reply refers to. */
export interface MessageReplyTo {
  /** Bare raw id (3rd segment) or full id of the quoted message, as WAHA gives it. */
  id: string | null;
  participant: string | null;
  body: string | null;
}

export interface MessageLocation {
  latitude: number;
  longitude: number;
  name: string | null;
  address: string | null;
  url: string | null;
  live: boolean;
}

export interface MessageLocationInput {
  latitude: number;
  longitude: number;
  name?: string | null;
  address?: string | null;
  url?: string | null;
  live?: boolean | null;
}

/** Click-to-WhatsApp ad context of the first message a person sends after tapping an ad. */
export interface AdReferral {
  sourceType: string | null;
  /** The ad id. */
  sourceId: string | null;
  sourceUrl: string | null;
  /** Click id of the ad tap. */
  ctwaClid: string | null;
  title: string | null;
  body: string | null;
  /** `entryPointConversionSource`, e.g. `ctwa_ad`. */
  entryPoint: string | null;
}

export type AdReferralInput = Partial<AdReferral>;

/** Where an own (outbound) message was written: through WAHA's API or in a WhatsApp app. */
export const MESSAGE_SOURCES = ['api', 'app'] as const;
export type MessageSource = (typeof MESSAGE_SOURCES)[number];

/** One person's reaction to a message. `emoji` null: the reaction was removed (kept so that a late
 *  duplicate of the removed reaction cannot bring it back). */
export interface MessageReaction {
  emoji: string | null;
  reactionExternalId: string;
  /** ISO 8601. */
  reactedAt: string;
}

/** What a message carries besides its text and media. Stored as jsonb. */
export interface MessageMetadata {
  source?: MessageSource;
  replyTo?: MessageReplyTo;
  location?: MessageLocation;
  /** Raw vCard texts of shared contacts. */
  vCards?: string[];
  adReferral?: AdReferral;
  /** Group messages: the group's chat id (`...@g.us`). */
  groupChatId?: string;
  /** Group messages: the author (`...@c.us` or `...@lid`). */
  participant?: string;
  /** Sent by the system itself (e.g. a session timeout warning), not by a person: it does not count
   *  as an agent's response. Names what sent it. */
  automated?: string;
  /** Reactions keyed by reactor id. Maintained by the aggregate, never taken from input. */
  reactions?: Record<string, MessageReaction>;
}

/** Metadata a message is created with (reactions are recorded later, one by one). */
export interface MessageMetadataInput {
  source?: MessageSource | null;
  replyTo?: Partial<MessageReplyTo> | null;
  location?: MessageLocationInput | null;
  vCards?: string[] | null;
  adReferral?: AdReferralInput | null;
  groupChatId?: string | null;
  participant?: string | null;
  automated?: string | null;
}

/** WhatsApp's own limit for a text message is 65536 characters; captions and vCards stay far below. */
const TEXT_MAX_LENGTH = 65_536;
const SHORT_MAX_LENGTH = 2_048;
const MAX_VCARDS = 100;

/** Message text as stored: null when absent or empty, otherwise exactly as sent (minus NUL
 *  characters, which PostgreSQL cannot store). */
export function normaliseText(text: unknown, field = 'text'): string | null {
  if (text === undefined || text === null) return null;
  if (typeof text !== 'string') throw new ValidationError(field, 'must be a string');
  const clean = stripNul(text);
  if (clean.length > TEXT_MAX_LENGTH) throw new ValidationError(field, `must be at most ${TEXT_MAX_LENGTH} characters`);
  return clean.length > 0 ? clean : null;
}

export function normaliseMedia(media: MessageMediaInput | null | undefined): MessageMedia | null {
  if (media === undefined || media === null) return null;
  if (typeof media !== 'object' || Array.isArray(media)) throw new ValidationError('media', 'must be an object');
  return {
    url: shortString(media.url, 'media.url'),
    mimetype: shortString(media.mimetype, 'media.mimetype'),
    filename: shortString(media.filename, 'media.filename'),
    caption: normaliseText(media.caption, 'media.caption'),
    error: shortString(media.error, 'media.error'),
  };
}

export function normaliseAdReferral(
  referral: AdReferralInput | null | undefined,
  field = 'adReferral',
): AdReferral | null {
  if (referral === undefined || referral === null) return null;
  if (typeof referral !== 'object' || Array.isArray(referral)) throw new ValidationError(field, 'must be an object');
  return {
    sourceType: shortString(referral.sourceType, `${field}.sourceType`),
    sourceId: shortString(referral.sourceId, `${field}.sourceId`),
    sourceUrl: shortString(referral.sourceUrl, `${field}.sourceUrl`),
    ctwaClid: shortString(referral.ctwaClid, `${field}.ctwaClid`),
    title: normaliseText(referral.title, `${field}.title`),
    body: normaliseText(referral.body, `${field}.body`),
    entryPoint: shortString(referral.entryPoint, `${field}.entryPoint`),
  };
}

/** Validates and copies the known metadata fields; unknown keys are dropped, absent ones omitted. */
export function normaliseMetadata(input: MessageMetadataInput | null | undefined): MessageMetadata {
  if (input === undefined || input === null) return {};
  if (typeof input !== 'object' || Array.isArray(input)) throw new ValidationError('metadata', 'must be an object');
  const metadata: MessageMetadata = {};
  if (input.source !== undefined && input.source !== null) {
    if (!(MESSAGE_SOURCES as readonly unknown[]).includes(input.source)) {
      throw new ValidationError('metadata.source', `must be one of ${MESSAGE_SOURCES.join(', ')}`);
    }
    metadata.source = input.source;
  }
  if (input.replyTo !== undefined && input.replyTo !== null) {
    const replyTo = objectOf(input.replyTo, 'metadata.replyTo');
    metadata.replyTo = {
      id: shortString(replyTo.id, 'metadata.replyTo.id'),
      participant: shortString(replyTo.participant, 'metadata.replyTo.participant'),
      body: normaliseText(replyTo.body, 'metadata.replyTo.body'),
    };
  }
  if (input.location !== undefined && input.location !== null) {
    const location = objectOf(input.location, 'metadata.location');
    metadata.location = {
      latitude: coordinate(location.latitude, 90, 'metadata.location.latitude'),
      longitude: coordinate(location.longitude, 180, 'metadata.location.longitude'),
      name: shortString(location.name, 'metadata.location.name'),
      address: shortString(location.address, 'metadata.location.address'),
      url: shortString(location.url, 'metadata.location.url'),
      live: location.live === true,
    };
  }
  if (input.vCards !== undefined && input.vCards !== null) {
    if (!Array.isArray(input.vCards) || input.vCards.length > MAX_VCARDS) {
      throw new ValidationError('metadata.vCards', `must be a list of at most ${MAX_VCARDS} vCard texts`);
    }
    const vCards = input.vCards
      .map((card, i) => normaliseText(card, `metadata.vCards[${i}]`))
      .filter((c): c is string => c !== null);
    if (vCards.length > 0) metadata.vCards = vCards;
  }
  const adReferral = normaliseAdReferral(input.adReferral, 'metadata.adReferral');
  if (adReferral) metadata.adReferral = adReferral;
  const groupChatId = shortString(input.groupChatId, 'metadata.groupChatId');
  if (groupChatId) metadata.groupChatId = groupChatId;
  const automated = shortString(input.automated, 'metadata.automated');
  if (automated) metadata.automated = automated;
  const participant = shortString(input.participant, 'metadata.participant');
  if (participant) metadata.participant = participant;
  return metadata;
}

/** PostgreSQL text and jsonb cannot hold NUL characters; every other character is kept. */
export function stripNul(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '') : text;
}

/** A copy of a JSON value with NUL characters removed from every string (keys included); throws a
 *  ValidationError naming `field` for values JSON cannot represent. */
export function sanitiseJson(value: unknown, field: string, depth = 0): unknown {
  if (depth > 32) throw new ValidationError(field, 'is nested too deeply');
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'string') return stripNul(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ValidationError(field, 'must contain only finite numbers');
    return value;
  }
  if (Array.isArray(value)) return value.map((item) => sanitiseJson(item, field, depth + 1));
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      if (item !== undefined) out[stripNul(key)] = sanitiseJson(item, field, depth + 1);
    }
    return out;
  }
  throw new ValidationError(field, 'must be plain JSON (objects, arrays, strings, numbers, booleans, null)');
}

function shortString(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new ValidationError(field, 'must be a string');
  const clean = stripNul(value).trim();
  if (clean.length > SHORT_MAX_LENGTH)
    throw new ValidationError(field, `must be at most ${SHORT_MAX_LENGTH} characters`);
  return clean.length > 0 ? clean : null;
}

function coordinate(value: unknown, bound: number, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > bound) {
    throw new ValidationError(field, `must be a number from -${bound} to ${bound}`);
  }
  return value;
}

function objectOf<T extends object>(value: T, field: string): T {
  if (typeof value !== 'object' || Array.isArray(value)) throw new ValidationError(field, 'must be an object');
  return value;
}
