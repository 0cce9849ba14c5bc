import { parseWahaAck } from '../../domain/message-ack';
import { parseMessageDirection } from '../../domain/message-direction';
import { Message } from '../../domain/message.aggregate';
import { parseMessageStatus } from '../../domain/message-status';
import { parseMessageType } from '../../domain/message-type';
import { MessageOrmEntity } from './message.orm-entity';

/** Message aggregate <-> `messages` row. */
export const MessageMapper = {
  toDomain(row: MessageOrmEntity): Message {
    return Message.rehydrate({
      id: row.id,
      tenantId: row.tenantId,
      sessionId: row.sessionId,
      contactId: row.contactId,
      channelId: row.channelId,
      direction: parseMessageDirection(row.direction),
      externalId: row.externalId,
      waChatId: row.waChatId,
      waRawId: row.waRawId,
      type: parseMessageType(row.type),
      text: row.text,
      media: row.media,
      status: parseMessageStatus(row.status),
      ackLevel: row.ackLevel === null ? null : parseWahaAck(row.ackLevel, 'ackLevel'),
      sentAt: row.sentAt,
      metadata: row.metadata ?? {},
      revokedAt: row.revokedAt,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    });
  },

  toOrm(message: Message): MessageOrmEntity {
    const props = message.toProps();
    const row = new MessageOrmEntity();
    row.id = props.id;
    row.tenantId = props.tenantId;
    row.sessionId = props.sessionId;
    row.contactId = props.contactId;
    row.channelId = props.channelId;
    row.direction = props.direction;
    row.externalId = props.externalId;
    row.waChatId = props.waChatId;
    row.waRawId = props.waRawId;
    row.type = props.type;
    row.text = props.text;
    row.media = props.media;
    row.status = props.status;
    row.ackLevel = props.ackLevel;
    row.sentAt = props.sentAt;
    row.revokedAt = props.revokedAt;
    row.metadata = props.metadata;
    row.createdAt = props.createdAt;
    row.updatedAt = props.updatedAt;
    return row;
  },
};
