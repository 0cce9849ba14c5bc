import { Injectable } from '@nestjs/common';
import { type KeysetPosition, type Page, ValidationError, assertUuid, decodeCursor, isUuid, toPage } from '@app/shared';
import { MessageRepository } from '../../domain/message.repository.port';
import { type MessageView, toMessageView } from '../message.view';
import { type ListMessagesQuery } from './list-messages.query';

export const MESSAGE_LIST_DEFAULT_LIMIT = 50;
export const MESSAGE_LIST_MAX_LIMIT = 200;

/** Messages of the tenant, newest stored first (createdAt DESC, id DESC), one keyset page at a
 *  time, optionally narrowed to a session, contact and/or channel. */
@Injectable()
export class ListMessagesHandler {
  constructor(private readonly messages: MessageRepository) {}

  async execute(query: ListMessagesQuery): Promise<Page<MessageView>> {
    const limit = query.limit ?? MESSAGE_LIST_DEFAULT_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MESSAGE_LIST_MAX_LIMIT) {
      throw new ValidationError('limit', `must be an integer from 1 to ${MESSAGE_LIST_MAX_LIMIT}`);
    }
    for (const field of ['sessionId', 'contactId', 'channelId'] as const) {
      if (query[field] !== undefined) assertUuid(query[field], field);
    }
    const after = query.cursor ? toPosition(query.cursor) : undefined;
    const rows = await this.messages.list(query.tenantId, {
      limit: limit + 1,
      after,
      sessionId: query.sessionId,
      contactId: query.contactId,
      channelId: query.channelId,
    });
    return toPage(rows, limit, toMessageView);
  }
}

function toPosition(cursor: string): KeysetPosition {
  const position = decodeCursor(cursor);
  if (!isUuid(position.id)) throw new ValidationError('cursor', 'is not a cursor returned by this API');
  return position;
}
