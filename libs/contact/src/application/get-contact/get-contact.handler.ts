import { Injectable } from '@nestjs/common';
import { assertUuid } from '@app/shared';
import { ContactNotFoundError } from '../../domain/contact.errors';
import { ContactRepository } from '../../domain/contact.repository.port';
import { type ContactView, toContactView } from '../contact.view';
import { type GetContactQuery } from './get-contact.query';

/** A live contact of the tenant; ContactNotFoundError when it does not exist, is deleted or belongs elsewhere. */
@Injectable()
export class GetContactHandler {
  constructor(private readonly contacts: ContactRepository) {}

  async execute(query: GetContactQuery): Promise<ContactView> {
    assertUuid(query.id, 'id');
    const contact = query.forUpdate
      ? await this.contacts.findByIdForUpdate(query.tenantId, query.id)
      : await this.contacts.findById(query.tenantId, query.id);
    if (!contact) throw new ContactNotFoundError(query.id);
    return toContactView(contact);
  }
}
