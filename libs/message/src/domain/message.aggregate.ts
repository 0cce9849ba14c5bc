import { AggregateRoot, ValidationError, assertUuid } from '@app/shared';
import { type AckDecision, type WahaAck, decideAck, initialMessageStatus, parseWahaAck } from './message-ack';
import {
  type MessageMedia,
  type MessageMediaInput,
  type MessageMetadata,
  type MessageMetadataInput,
  type MessageReaction,
  normaliseMedia,
  normaliseMetadata,
  normaliseText,
  stripNul,
} from './message-content';
import { type MessageDirection, parseMessageDirection } from './message-direction';
import {
  MESSAGE_AGGREGATE_TYPE,
  type MessageCreatedEventData,
  type MessageDeletedEventData,
  type MessageEventRefs,
  MessageEventTypes,
  type MessageReactionEventData,
  type MessageRevokedEventData,
  type MessageStatusChangedEventData,
} from './message.events';
import { type MessageStatus } from './message-status';
import { type MessageType, parseMessageType } from './message-type';
import { type WaMessageId, assertWhatsAppTime, parseWaMessageId, waMessageKey } from './wa-message-id';

const IDENTIFIER_MAX_LENGTH = 512;
const EMOJI_MAX_LENGTH = 64;
const REASON_MAX_LENGTH = 500;
// eslint-disable-next-line no-control-regex
const WHITESPACE_OR_CONTROL = /[\s\u0000-\u001f\u007f]/;

/** Everything a message is made of; what the repository stores and reads back. */
export interface MessageProps {
  id: string;
  tenantId: string;
  sessionId: string;
  contactId: string;
  channelId: string;
  direction: MessageDirection;
  /** Full WAHA message id, stored exactly as received. */
  externalId: string;
  /** 2nd segment of externalId. */
  waChatId: string;
  /** 3rd segment of externalId. */
  waRawId: string;
  type: MessageType;
  text: string | null;
  media: MessageMedia | null;
  status: MessageStatus;
  /** Last ack applied (or the one the message arrived with); null when WAHA reported none. */
  ackLevel: WahaAck | null;
  /** WhatsApp time of the message. */
  sentAt: Date;
  metadata: MessageMetadata;
  revokedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewMessage {
  /** Proposed id (a saga proposes it so its compensation can delete exactly this row); random when absent. */
  id?: string;
  tenantId: string;
  sessionId: string;
  contactId: string;
  channelId: string;
  direction: MessageDirection;
  /** Full WAHA message id `{fromMe}_{chatId}_{rawId}[_{participant}]`; its `fromMe` must match the direction. */
  externalId: string;
  /** Optional: derived from externalId, and checked against it when given. */
  waChatId?: string;
  /** Optional: derived from externalId, and checked against it when given. */
  waRawId?: string;
  type: MessageType;
  text?: string | null;
  media?: MessageMediaInput | null;
  /** WAHA `ack` the message arrived with (-1 to 4), or null when unknown. */
  ackLevel?: number | null;
  /** WhatsApp time of the message (WAHA `timestamp` is unix seconds: build it with unixSecondsToDate). */
  sentAt: Date;
  metadata?: MessageMetadataInput | null;
  /** Set when the message is known to be revoked already (it is then stored as `deleted`). */
  revokedAt?: Date | null;
}

export interface Reaction {
  /** WhatsApp id of whoever reacted (the participant in groups). */
  reactorId: string;
  /** The emoji; empty means the reactor removed their reaction. */
  emoji: string;
  /** WAHA id of the reaction message; the same id twice is one reaction. */
  reactionExternalId: string;
  /** WhatsApp time of the reaction. */
  at: Date;
}

export interface ReactionOutcome {
  /** The reactor's reaction state on this message after the call. */
  state: 'recorded' | 'removed';
  /** Whether anything must be stored (events are recorded only for visible changes). */
  changed: boolean;
}

/** A WhatsApp message of a session, inbound or outbound, unique per channel by its WAHA id. */
export class Message extends AggregateRoot {
  protected readonly aggregateType = MESSAGE_AGGREGATE_TYPE;

  private constructor(private props: MessageProps) {
    super();
  }

  /** A new message; records `message.created`. `now` is when we record it (createdAt). */
  static create(input: NewMessage, now: Date): Message {
    assertUuid(input.tenantId, 'tenantId');
    assertUuid(input.sessionId, 'sessionId');
    assertUuid(input.contactId, 'contactId');
    assertUuid(input.channelId, 'channelId');
    if (input.id !== undefined) assertUuid(input.id, 'id');
    const direction = parseMessageDirection(input.direction);
    const waId = parseWaMessageId(input.externalId, 'externalId');
    if (waId.fromMe !== (direction === 'outbound')) {
      throw new ValidationError(
        'direction',
        `must be ${waId.fromMe ? 'outbound' : 'inbound'} for a ${waId.fromMe ? 'true_' : 'false_'} message id`,
      );
    }
    if (input.waChatId !== undefined && input.waChatId !== waId.chatId) {
      throw new ValidationError('waChatId', 'must be the 2nd segment of externalId');
    }
    if (input.waRawId !== undefined && input.waRawId !== waId.rawId) {
      throw new ValidationError('waRawId', 'must be the 3rd segment of externalId');
    }
    const ackLevel =
      input.ackLevel === undefined || input.ackLevel === null ? null : parseWahaAck(input.ackLevel, 'ackLevel');
    assertWhatsAppTime(input.sentAt, 'sentAt');
    const revokedAt = input.revokedAt ?? null;
    if (revokedAt !== null) assertWhatsAppTime(revokedAt, 'revokedAt');

    const message = new Message({
      id: input.id ?? globalThis.crypto.randomUUID(),
      tenantId: input.tenantId,
      sessionId: input.sessionId,
      contactId: input.contactId,
      channelId: input.channelId,
      direction,
      externalId: input.externalId,
      waChatId: waId.chatId,
      waRawId: waId.rawId,
      type: parseMessageType(input.type),
      text: normaliseText(input.text),
      media: normaliseMedia(input.media),
      status: revokedAt ? 'deleted' : initialMessageStatus(direction, ackLevel),
      ackLevel,
      sentAt: new Date(input.sentAt.getTime()),
      metadata: normaliseMetadata(input.metadata),
      revokedAt: revokedAt ? new Date(revokedAt.getTime()) : null,
      createdAt: now,
      updatedAt: now,
    });
    message.record<MessageCreatedEventData>(
      MessageEventTypes.created,
      message.tenantId,
      message.id,
      {
        ...message.refs(),
        direction: message.direction,
        type: message.type,
        text: message.text,
        media: message.media,
        sentAt: message.sentAt.toISOString(),
        status: message.status,
      },
      now,
    );
    return message;
  }

  /** Rebuilds a stored message; records nothing. */
  static rehydrate(props: MessageProps): Message {
    return new Message({ ...props });
  }

  get id(): string {
    return this.props.id;
  }
  get tenantId(): string {
    return this.props.tenantId;
  }
  get sessionId(): string {
    return this.props.sessionId;
  }
  get contactId(): string {
    return this.props.contactId;
  }
  get channelId(): string {
    return this.props.channelId;
  }
  get direction(): MessageDirection {
    return this.props.direction;
  }
  get externalId(): string {
    return this.props.externalId;
  }
  get waChatId(): string {
    return this.props.waChatId;
  }
  get waRawId(): string {
    return this.props.waRawId;
  }
  /** The parts of externalId. */
  get waId(): WaMessageId {
    return parseWaMessageId(this.props.externalId);
  }
  /** `{fromMe}_{chatId}_{rawId}`: what acks and reactions match the message on. */
  get waKey(): string {
    return waMessageKey(this.waId);
  }
  get type(): MessageType {
    return this.props.type;
  }
  get text(): string | null {
    return this.props.text;
  }
  get media(): MessageMedia | null {
    return this.props.media;
  }
  get status(): MessageStatus {
    return this.props.status;
  }
  get ackLevel(): WahaAck | null {
    return this.props.ackLevel;
  }
  get sentAt(): Date {
    return this.props.sentAt;
  }
  get metadata(): MessageMetadata {
    return this.props.metadata;
  }
  get revokedAt(): Date | null {
    return this.props.revokedAt;
  }
  get createdAt(): Date {
    return this.props.createdAt;
  }
  get updatedAt(): Date {
    return this.props.updatedAt;
  }

  /**
   * Applies a WAHA ack reported at `at` (WhatsApp time). Moves the status forward only (see
   * decideAck); records `message.status_changed` when it moves, and nothing otherwise.
   */
  applyAck(ack: number, at: Date, now: Date): AckDecision {
    const level = parseWahaAck(ack);
    assertWhatsAppTime(at, 'at');
    const decision = decideAck({ direction: this.props.direction, status: this.props.status }, level);
    if (!decision.apply) return decision;
    const from = this.props.status;
    this.props.status = decision.status;
    this.props.ackLevel = decision.ackLevel;
    this.props.updatedAt = now;
    this.record<MessageStatusChangedEventData>(
      MessageEventTypes.statusChanged,
      this.tenantId,
      this.id,
      {
        ...this.refs(),
        direction: this.direction,
        from,
        to: decision.status,
        ackLevel: decision.ackLevel,
        changedAt: at.toISOString(),
      },
      now,
    );
    return decision;
  }

  /**
   * Takes the id WAHA really gave an outbound message we recorded under a pre-generated id (an
   * engine that ignored it). Same chat, outbound only; returns false when it has that id already.
   * Raises no event: it is the same message, only its WhatsApp key is corrected.
   */
  adoptExternalId(externalId: string, now: Date): boolean {
    const waId = parseWaMessageId(externalId, 'externalId');
    if (!waId.fromMe || this.props.direction !== 'outbound')
      throw new ValidationError('externalId', 'must be an outbound (true_) id of an outbound message');
    if (waId.chatId !== this.props.waChatId) throw new ValidationError('externalId', 'must be in the same chat');
    if (externalId === this.props.externalId) return false;
    this.props.externalId = externalId;
    this.props.waRawId = waId.rawId;
    this.props.updatedAt = now;
    return true;
  }

  /** Marks the message deleted for everyone (WhatsApp revoke) and records `message.revoked`.
   *  Returns false, recording nothing, when it was revoked already. */
  revoke(at: Date, now: Date): boolean {
    assertWhatsAppTime(at, 'at');
    if (this.props.status === 'deleted') return false;
    const previousStatus = this.props.status;
    this.props.status = 'deleted';
    this.props.revokedAt = new Date(at.getTime());
    this.props.updatedAt = now;
    this.record<MessageRevokedEventData>(
      MessageEventTypes.revoked,
      this.tenantId,
      this.id,
      { ...this.refs(), previousStatus, revokedAt: at.toISOString() },
      now,
    );
    return true;
  }

  /**
   * Records a reaction in `metadata.reactions`, keyed by reactor (one reaction per person, as in
   * WhatsApp). An empty emoji removes the reactor's reaction. Idempotent on reactionExternalId, and
   * order-safe: a reaction older than the reactor's current one changes nothing. Records
   * `message.reaction_added` or `message.reaction_removed` when the visible reaction changes.
   */
  react(reaction: Reaction, now: Date): ReactionOutcome {
    const { reactorId, reactionExternalId, emoji } = parseReaction(reaction);

    const reactions = this.props.metadata.reactions ?? {};
    const current = Object.prototype.hasOwnProperty.call(reactions, reactorId) ? reactions[reactorId] : undefined;
    const stateOf = (entry: MessageReaction): ReactionOutcome['state'] =>
      entry.emoji === null ? 'removed' : 'recorded';
    if (
      current &&
      (current.reactionExternalId === reactionExternalId || Date.parse(current.reactedAt) > reaction.at.getTime())
    ) {
      return { state: stateOf(current), changed: false };
    }

    const entry: MessageReaction = {
      emoji: emoji === '' ? null : emoji,
      reactionExternalId,
      reactedAt: reaction.at.toISOString(),
    };
    const previousEmoji = current?.emoji ?? null;
    this.props.metadata = { ...this.props.metadata, reactions: { ...reactions, [reactorId]: entry } };
    this.props.updatedAt = now;
    if (entry.emoji !== previousEmoji) {
      this.record<MessageReactionEventData>(
        entry.emoji === null ? MessageEventTypes.reactionRemoved : MessageEventTypes.reactionAdded,
        this.tenantId,
        this.id,
        {
          ...this.refs(),
          reactor: reactorId,
          emoji,
          previousEmoji,
          reactionExternalId,
          reactedAt: reaction.at.toISOString(),
        },
        now,
      );
    }
    return { state: stateOf(entry), changed: true };
  }

  /** Records `message.deleted` before the row is removed (saga compensation). */
  markDeleted(reason: string, now: Date): void {
    if (typeof reason !== 'string' || reason.trim().length === 0)
      throw new ValidationError('reason', 'must not be empty');
    const clean = stripNul(reason).trim();
    if (clean.length > REASON_MAX_LENGTH)
      throw new ValidationError('reason', `must be at most ${REASON_MAX_LENGTH} characters`);
    this.record<MessageDeletedEventData>(
      MessageEventTypes.deleted,
      this.tenantId,
      this.id,
      { ...this.refs(), reason: clean, deletedAt: now.toISOString() },
      now,
    );
  }

  /** Reactions still in place, oldest first. */
  activeReactions(): Array<{ reactor: string; emoji: string; reactedAt: string }> {
    return Object.entries(this.props.metadata.reactions ?? {})
      .filter((entry): entry is [string, MessageReaction & { emoji: string }] => entry[1].emoji !== null)
      .map(([reactor, r]) => ({ reactor, emoji: r.emoji, reactedAt: r.reactedAt }))
      .sort((a, b) => a.reactedAt.localeCompare(b.reactedAt) || a.reactor.localeCompare(b.reactor));
  }

  /** A copy of the full state, for the persistence mapper. */
  toProps(): MessageProps {
    return { ...this.props };
  }

  private refs(): MessageEventRefs {
    return {
      id: this.props.id,
      sessionId: this.props.sessionId,
      contactId: this.props.contactId,
      channelId: this.props.channelId,
      externalId: this.props.externalId,
    };
  }
}

/** A reaction checked (each bad field named) and normalised (emoji trimmed, NUL stripped). */
export function parseReaction(reaction: Reaction): Reaction {
  const reactorId = identifier(reaction.reactorId, 'reactorId');
  const reactionExternalId = identifier(reaction.reactionExternalId, 'reactionExternalId');
  const emoji = normaliseEmoji(reaction.emoji);
  assertWhatsAppTime(reaction.at, 'at');
  return { reactorId, reactionExternalId, emoji, at: reaction.at };
}

function identifier(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new ValidationError(field, 'must not be empty');
  if (value.length > IDENTIFIER_MAX_LENGTH)
    throw new ValidationError(field, `must be at most ${IDENTIFIER_MAX_LENGTH} characters`);
  if (WHITESPACE_OR_CONTROL.test(value))
    throw new ValidationError(field, 'must not contain whitespace or control characters');
  return value;
}

function normaliseEmoji(value: unknown): string {
  if (typeof value !== 'string') throw new ValidationError('emoji', 'must be a string (empty to remove the reaction)');
  const clean = stripNul(value).trim();
  if (clean.length > EMOJI_MAX_LENGTH)
    throw new ValidationError('emoji', `must be at most ${EMOJI_MAX_LENGTH} characters`);
  return clean;
}
