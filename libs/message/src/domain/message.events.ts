import { type MessageMedia } from './message-content';
import { type MessageDirection } from './message-direction';
import { type MessageStatus } from './message-status';
import { type MessageType } from './message-type';
import { type WahaAck } from './message-ack';

/** Outbox `type`s raised by the Message aggregate (`aggregateType` is `message`). */
export const MessageEventTypes = {
  created: 'message.created',
  statusChanged: 'message.status_changed',
  revoked: 'message.revoked',
  reactionAdded: 'message.reaction_added',
  reactionRemoved: 'message.reaction_removed',
  deleted: 'message.deleted',
} as const;
export type MessageEventType = (typeof MessageEventTypes)[keyof typeof MessageEventTypes];

export const MESSAGE_AGGREGATE_TYPE = 'message';

/** What every message event carries to identify the message. Part of the public event contract:
 *  add fields, never rename or remove them. */
export interface MessageEventRefs {
  /** The message id (uuid). */
  id: string;
  sessionId: string;
  contactId: string;
  channelId: string;
  /** WAHA message id, e.g. `false_5511999990001@c.us_AC4A...`. */
  externalId: string;
}

/** `data` of `message.created`. */
export interface MessageCreatedEventData extends MessageEventRefs {
  direction: MessageDirection;
  type: MessageType;
  text: string | null;
  media: MessageMedia | null;
  /** WhatsApp time of the message, ISO 8601. */
  sentAt: string;
  status: MessageStatus;
}

/** `data` of `message.status_changed`: an outbound message moved forward by an ack. */
export interface MessageStatusChangedEventData extends MessageEventRefs {
  direction: MessageDirection;
  from: MessageStatus;
  to: MessageStatus;
  ackLevel: WahaAck;
  /** When WhatsApp reported the ack, ISO 8601. */
  changedAt: string;
}

/** `data` of `message.revoked`: the sender deleted the message for everyone. */
export interface MessageRevokedEventData extends MessageEventRefs {
  previousStatus: MessageStatus;
  /** ISO 8601. */
  revokedAt: string;
}

/** `data` of `message.reaction_added` and `message.reaction_removed`. */
export interface MessageReactionEventData extends MessageEventRefs {
  /** WhatsApp id of whoever reacted. */
  reactor: string;
  /** The emoji; the empty string in `message.reaction_removed`. */
  emoji: string;
  /** The reactor's emoji before this change, or null. */
  previousEmoji: string | null;
  /** WAHA id of the reaction message itself. */
  reactionExternalId: string;
  /** ISO 8601. */
  reactedAt: string;
}

/** `data` of `message.deleted`: the row was removed to compensate a failed saga. */
export interface MessageDeletedEventData extends MessageEventRefs {
  reason: string;
  /** ISO 8601. */
  deletedAt: string;
}
