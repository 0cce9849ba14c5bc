import { Injectable } from '@nestjs/common';
import { Clock, EventOutbox, UnitOfWork, assertUuid } from '@app/shared';
import { parseContactFirstTouch } from '../../domain/contact-first-touch';
import { ContactNotFoundError } from '../../domain/contact.errors';
import { ContactRepository } from '../../domain/contact.repository.port';
import { type ContactView, toContactView } from '../contact.view';
import { type SetContactFirstTouchCommand } from './set-contact-first-touch.command';

export interface SetContactFirstTouchResult {
  contact: ContactView;
  /** True when this call stored the first touch (and raised its `contact.updated`); false when the
   *  contact already had one, which is kept as it is. */
  set: boolean;
}

/**
 * Records a live contact's first-touch attribution once: the first touch wins, later calls change
 * nothing and raise nothing. Safe under concurrency: the contact's row is locked for the read, so of
 * concurrent calls exactly one stores its data. ContactNotFoundError for a contact that does not
 * exist, is deleted or belongs to another tenant; ValidationError on `firstTouch` for data that is
 * not a JSON object of at most 16 KiB.
 */
@Injectable()
export class SetContactFirstTouchHandler {
  constructor(
    private readonly contacts: ContactRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly eventOutbox: EventOutbox,
    private readonly clock: Clock,
  ) {}

  async execute(command: SetContactFirstTouchCommand): Promise<SetContactFirstTouchResult> {
    assertUuid(command.contactId, 'contactId');
    const firstTouch = parseContactFirstTouch(command.firstTouch);
    return this.unitOfWork.run(async () => {
      const contact = await this.contacts.findByIdForUpdate(command.tenantId, command.contactId);
      if (!contact) throw new ContactNotFoundError(command.contactId);
      const set = contact.setFirstTouch(firstTouch, this.clock.now());
      if (set) {
        await this.contacts.update(contact);
        await this.eventOutbox.append(contact.pullEvents());
      }
      return { contact: toContactView(contact), set };
    });
  }
}
