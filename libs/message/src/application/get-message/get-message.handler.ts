import { Injectable } from '@nestjs/common';
import { assertUuid } from '@app/shared';
import { MessageNotFoundError } from '../../domain/message.errors';
import { MessageRepository } from '../../domain/message.repository.port';
import { type MessageView, toMessageView } from '../message.view';
import { type GetMessageQuery } from './get-message.query';

/** A message of the tenant; MessageNotFoundError when it does not exist or belongs elsewhere. */
@Injectable()
export class GetMessageHandler {
  constructor(private readonly messages: MessageRepository) {}

  async execute(query: GetMessageQuery): Promise<MessageView> {
    assertUuid(query.id, 'id');
    const message = await this.messages.findById(query.tenantId, query.id);
    if (!message) throw new MessageNotFoundError(query.id);
    return toMessageView(message);
  }
}
