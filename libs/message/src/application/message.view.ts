import { type WahaAck } from '../domain/message-ack';
import { type MessageMedia, type MessageMetadata } from '../domain/message-content';
import { type MessageDirection } from '../domain/message-direction';
import { type Message } from '../domain/message.aggregate';
import { type MessageStatus } from '../domain/message-status';
import { type MessageType } from '../domain/message-type';

/** A reaction in place on a message. */
export interface MessageReactionView {
  /** WhatsApp id of whoever reacted. */
  reactor: string;
  emoji: string;
  /** ISO 8601. */
  reactedAt: string;
}

/** Metadata as views show it; reactions are listed separately (see MessageView.reactions). */
export type MessageMetadataView = Omit<MessageMetadata, 'reactions'>;

/** A message as handlers return it: plain and serialisable (dates are ISO 8601 strings). */
export interface MessageView {
  id: string;
  sessionId: string;
  contactId: string;
  channelId: string;
  direction: MessageDirection;
  /** Full WAHA message id. */
  externalId: string;
  waChatId: string;
  waRawId: string;
  type: MessageType;
  text: string | null;
  media: MessageMedia | null;
  status: MessageStatus;
  ackLevel: WahaAck | null;
  /** WhatsApp time of the message. */
  sentAt: string;
  revokedAt: string | null;
  metadata: MessageMetadataView;
  /** Reactions in place, oldest first (removed ones are left out). */
  reactions: MessageReactionView[];
  createdAt: string;
  updatedAt: string;
}

export function toMessageView(message: Message): MessageView {
  const { reactions: _reactions, ...metadata } = message.metadata;
  return {
    id: message.id,
    sessionId: message.sessionId,
    contactId: message.contactId,
    channelId: message.channelId,
    direction: message.direction,
    externalId: message.externalId,
    waChatId: message.waChatId,
    waRawId: message.waRawId,
    type: message.type,
    text: message.text,
    media: message.media,
    status: message.status,
    ackLevel: message.ackLevel,
    sentAt: message.sentAt.toISOString(),
    revokedAt: message.revokedAt?.toISOString() ?? null,
    metadata,
    reactions: message.activeReactions(),
    createdAt: message.createdAt.toISOString(),
    updatedAt: message.updatedAt.toISOString(),
  };
}
