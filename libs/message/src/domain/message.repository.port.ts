import { type KeysetPosition, type Positioned } from '@app/shared';
import { type MessageDirection } from './message-direction';
import { type Message } from './message.aggregate';
import { type SessionMessageStats } from './session-message-stats';

export interface MessageListCriteria {
  /** Maximum number of messages returned. */
  limit: number;
  /** Return only messages after this position in the (createdAt DESC, id DESC) order. */
  after?: KeysetPosition;
  sessionId?: string;
  contactId?: string;
  channelId?: string;
}

/** Identifies a message of a channel by its WhatsApp parts, whatever 4th id segment an event carries. */
export interface WaMessageLocator {
  chatId: string;
  rawId: string;
  /** Narrows to one direction (`fromMe`); absent matches both (revokes carry only the raw id). */
  direction?: MessageDirection;
}

/** An automated outbound message still under the id we pre-generated for it (see AdoptWahaMessageIdHandler). */
export interface AutomatedPlaceholderCriteria {
  chatId: string;
  text: string;
  /** Only messages recorded at or after this time. */
  createdAfter: Date;
  /** Not the message that already carries this raw id. */
  otherThanRawId: string;
}

export interface LoadOptions {
  /** Lock the row until the unit of work ends (read-modify-write). Needs a unit of work. */
  forUpdate?: boolean;
}

/**
 * Persistence of Message aggregates. Every read is scoped to a tenant, and every method joins the
 * current unit of work when called inside one.
 */
export abstract class MessageRepository {
  /**
   * Serialises all work on one WhatsApp message of a channel (creating it, applying its acks) until
   * the current unit of work ends, so an ack racing its message is never lost. `waKey` is
   * `{fromMe}_{chatId}_{rawId}` (waMessageKey). Must run inside a unit of work.
   */
  abstract lockWaMessage(channelId: string, waKey: string): Promise<void>;
  /** Stores a new message unless the channel already has one with its externalId (decided by the
   *  unique index, so it is race-free). Returns whether this call stored it. */
  abstract insertIfAbsent(message: Message): Promise<boolean>;
  abstract findById(tenantId: string, id: string, options?: LoadOptions): Promise<Message | null>;
  abstract findByExternalId(
    tenantId: string,
    channelId: string,
    externalId: string,
    options?: LoadOptions,
  ): Promise<Message | null>;
  /** The channel's message with this chat and raw id (the oldest if several match). */
  abstract findByWaLocator(
    tenantId: string,
    channelId: string,
    locator: WaMessageLocator,
    options?: LoadOptions,
  ): Promise<Message | null>;
  /** The newest outbound message of the chat with `metadata.automated`, this text, still `pending`
   *  or `failed` (no ack from WhatsApp yet), recorded after `createdAfter`. */
  abstract findAutomatedPlaceholder(
    tenantId: string,
    channelId: string,
    criteria: AutomatedPlaceholderCriteria,
    options?: LoadOptions,
  ): Promise<Message | null>;
  /** The tenant's messages among `ids` (unknown ids are skipped), in no particular order. */
  abstract findByIds(tenantId: string, ids: string[]): Promise<Message[]>;
  /** Messages of the tenant, newest first: ordered by (createdAt DESC, id DESC). */
  abstract list(tenantId: string, criteria: MessageListCriteria): Promise<Positioned<Message>[]>;
  /** Stores the mutable state (external id and raw id, status, ack level, metadata, revokedAt, updatedAt). Throws
   *  MessageNotFoundError when the row is gone. */
  abstract update(message: Message): Promise<void>;
  /** Removes the row; false when it was gone already. */
  abstract delete(message: Message): Promise<boolean>;
  abstract sessionStats(tenantId: string, sessionId: string): Promise<SessionMessageStats>;
}
