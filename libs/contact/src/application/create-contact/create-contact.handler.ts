import { Injectable } from '@nestjs/common';
import { Clock, EventOutbox, UnitOfWork } from '@app/shared';
import { Contact } from '../../domain/contact.aggregate';
import { ContactRepository } from '../../domain/contact.repository.port';
import { type ContactView, toContactView } from '../contact.view';
import { type CreateContactCommand } from './create-contact.command';

/** Creates a contact; fails with DuplicateContactPhoneError when the phone belongs to a live contact. */
@Injectable()
export class CreateContactHandler {
  constructor(
    private readonly contacts: ContactRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly eventOutbox: EventOutbox,
    private readonly clock: Clock,
  ) {}

  async execute(command: CreateContactCommand): Promise<ContactView> {
    const contact = Contact.create(
      {
        id: command.id,
        tenantId: command.tenantId,
        phone: command.phone,
        whatsappId: command.whatsappId,
        name: command.name,
        profilePictureUrl: command.profilePictureUrl,
        source: command.source ?? 'api',
      },
      this.clock.now(),
    );
    await this.unitOfWork.run(async () => {
      await this.contacts.insert(contact);
      await this.eventOutbox.append(contact.pullEvents());
    });
    return toContactView(contact);
  }
}
