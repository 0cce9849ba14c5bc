import { Injectable } from '@nestjs/common';
import { Clock, EventOutbox, UnitOfWork, assertUuid } from '@app/shared';
import { ContactNotFoundError } from '../../domain/contact.errors';
import { ContactRepository } from '../../domain/contact.repository.port';
import { type ContactView, toContactView } from '../contact.view';
import { type UpdateContactCommand } from './update-contact.command';

/** Changes a live contact. Stores and raises `contact.updated` only when a value really changes;
 *  a new phone that belongs to another live contact fails with DuplicateContactPhoneError. */
@Injectable()
export class UpdateContactHandler {
  constructor(
    private readonly contacts: ContactRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly eventOutbox: EventOutbox,
    private readonly clock: Clock,
  ) {}

  async execute(command: UpdateContactCommand): Promise<ContactView> {
    assertUuid(command.id, 'id');
    return this.unitOfWork.run(async () => {
      const contact = await this.contacts.findById(command.tenantId, command.id);
      if (!contact) throw new ContactNotFoundError(command.id);
      const changed = contact.update(
        {
          phone: command.phone,
          whatsappId: command.whatsappId,
          name: command.name,
          profilePictureUrl: command.profilePictureUrl,
        },
        this.clock.now(),
      );
      if (changed.length > 0) {
        await this.contacts.update(contact);
        await this.eventOutbox.append(contact.pullEvents());
      }
      return toContactView(contact);
    });
  }
}
