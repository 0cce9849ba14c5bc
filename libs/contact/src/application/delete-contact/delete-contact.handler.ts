import { Injectable } from '@nestjs/common';
import { Clock, EventOutbox, UnitOfWork, assertUuid } from '@app/shared';
import { ContactNotFoundError } from '../../domain/contact.errors';
import { ContactRepository } from '../../domain/contact.repository.port';
import { type DeleteContactCommand } from './delete-contact.command';

/** Soft-deletes a live contact and raises `contact.deleted`; its phone becomes free for a new contact. */
@Injectable()
export class DeleteContactHandler {
  constructor(
    private readonly contacts: ContactRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly eventOutbox: EventOutbox,
    private readonly clock: Clock,
  ) {}

  async execute(command: DeleteContactCommand): Promise<void> {
    assertUuid(command.id, 'id');
    await this.unitOfWork.run(async () => {
      const contact = await this.contacts.findById(command.tenantId, command.id);
      if (!contact) throw new ContactNotFoundError(command.id);
      contact.softDelete(this.clock.now());
      await this.contacts.update(contact);
      await this.eventOutbox.append(contact.pullEvents());
    });
  }
}
