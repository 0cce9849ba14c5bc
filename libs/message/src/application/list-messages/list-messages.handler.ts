import { Injectable } from '@nestjs/common';
import { assertUuid, keysetAfter, type Page, pageLimit, toPage } from '@app/shared';
import { MessageRepository } from '../../domain/message.repository.port';
import { type MessageView, toMessageView } from '../message.view';
import { type ListMessagesQuery } from './list-messages.query';

/** Messages of the tenant, newest stored first (createdAt DESC, id DESC), one keyset page at a
 *  time, optionally narrowed to a session, contact and/or channel. */
@Injectable()
export class ListMessagesHandler {
  constructor(private readonly messages: MessageRepository) {}

  async execute(query: ListMessagesQuery): Promise<Page<MessageView>> {
    const limit = pageLimit(query.limit);
    for (const field of ['sessionId', 'contactId', 'channelId'] as const) {
      if (query[field] !== undefined) assertUuid(query[field], field);
    }
    const after = keysetAfter(query.cursor);
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
