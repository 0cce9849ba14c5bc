import { Injectable } from '@nestjs/common';
import { assertUuid } from '@app/shared';
import { MessageRepository } from '../../domain/message.repository.port';
import { type MessageView, toMessageView } from '../message.view';

export interface FindMessageByExternalIdQuery {
  tenantId: string;
  channelId: string;
  /** Full WAHA message id. */
  externalId: string;
}

/** The message with this WAHA id on the channel, or null: lets inbound processing recognise a
 *  message it recorded already (its own timeout warning, a redelivery). */
@Injectable()
export class FindMessageByExternalIdHandler {
  constructor(private readonly messages: MessageRepository) {}

  async execute(query: FindMessageByExternalIdQuery): Promise<MessageView | null> {
    assertUuid(query.channelId, 'channelId');
    const message = await this.messages.findByExternalId(query.tenantId, query.channelId, query.externalId);
    return message ? toMessageView(message) : null;
  }
}
