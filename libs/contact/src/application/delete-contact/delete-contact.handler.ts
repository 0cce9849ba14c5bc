import { Injectable } from '@nestjs/common';
import { Clock, EventOutbox, UnitOfWork, assertUuid } from '@app/shared';
import { ContactNotFoundError } from '../../domain/contact.errors';
import { ContactRepository } from '../../domain/contact.repository.port';
import { type DeleteContactCommand } from './delete-contact.command';

export interface DeleteContactResult {
  /** False only when `keepIfInUse` answered true: the contact stays live. */
  deleted: boolean;
}

/**
 * Soft-deletes a live contact and raises `contact.deleted`; its phone becomes free for a new contact.
 * The row is locked while deciding, so a `keepIfInUse` check and work that locks the contact to use
 * it (storing a message for it) take turns: the check sees that work committed, or that work finds
 * the contact deleted.
 */
@Injectable()
export class DeleteContactHandler {
  constructor(
    private readonly contacts: ContactRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly eventOutbox: EventOutbox,
    private readonly clock: Clock,
  ) {}

  async execute(command: DeleteContactCommand): Promise<DeleteContactResult> {
    assertUuid(command.id, 'id');
    return this.unitOfWork.run(async () => {
      const contact = await this.contacts.findByIdForUpdate(command.tenantId, command.id);
      if (!contact) throw new ContactNotFoundError(command.id);
      if (command.keepIfInUse && (await command.keepIfInUse())) return { deleted: false };
      contact.softDelete(this.clock.now());
      await this.contacts.update(contact);
      await this.eventOutbox.append(contact.pullEvents());
      return { deleted: true };
    });
  }
}
