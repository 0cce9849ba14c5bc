import { Injectable } from '@nestjs/common';
import { Clock, EventOutbox, UnitOfWork, assertUuid } from '@app/shared';
import { MessageRepository } from '../../domain/message.repository.port';
import { type DeleteMessageCommand } from './delete-message.command';

/**
 * Hard-deletes a message (its ad conversion goes with it) and raises `message.deleted`. Idempotent,
 * as a compensation must be: answers false, writing nothing, when the message is gone already.
 */
@Injectable()
export class DeleteMessageHandler {
  constructor(
    private readonly messages: MessageRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly eventOutbox: EventOutbox,
    private readonly clock: Clock,
  ) {}

  async execute(command: DeleteMessageCommand): Promise<boolean> {
    assertUuid(command.tenantId, 'tenantId');
    assertUuid(command.messageId, 'messageId');
    return this.unitOfWork.run(async () => {
      const message = await this.messages.findById(command.tenantId, command.messageId, { forUpdate: true });
      if (!message) return false;
      message.markDeleted(command.reason, this.clock.now());
      if (!(await this.messages.delete(message))) return false;
      await this.eventOutbox.append(message.pullEvents());
      return true;
    });
  }
}
