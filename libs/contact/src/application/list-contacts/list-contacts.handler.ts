import { Injectable } from '@nestjs/common';
import { keysetAfter, type Page, pageLimit, toPage, ValidationError } from '@app/shared';
import { type ContactSearch, ContactRepository } from '../../domain/contact.repository.port';
import { phoneSearchPrefix } from '../../domain/phone-number.value-object';
import { type ContactView, toContactView } from '../contact.view';
import { type ListContactsQuery } from './list-contacts.query';

const SEARCH_MAX_LENGTH = 100;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** Live contacts of the tenant, newest first, one keyset page at a time. */
@Injectable()
export class ListContactsHandler {
  constructor(private readonly contacts: ContactRepository) {}

  async execute(query: ListContactsQuery): Promise<Page<ContactView>> {
    const limit = pageLimit(query.limit);
    const after = keysetAfter(query.cursor);
    const search = toSearch(query.search);
    const rows = await this.contacts.list(query.tenantId, { limit: limit + 1, after, search });
    return toPage(rows, limit, toContactView);
  }
}

function toSearch(term: string | undefined): ContactSearch | undefined {
  if (term === undefined) return undefined;
  const trimmed = term.trim();
  if (trimmed.length === 0) return undefined;
  if (trimmed.length > SEARCH_MAX_LENGTH)
    throw new ValidationError('search', `must be at most ${SEARCH_MAX_LENGTH} characters`);
  if (CONTROL_CHARACTERS.test(trimmed)) throw new ValidationError('search', 'must not contain control characters');
  return { phonePrefix: phoneSearchPrefix(trimmed), nameContains: trimmed };
}
