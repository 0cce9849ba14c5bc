import { ConflictError, NotFoundError, RuleViolationError } from '@app/shared';

/** No live contact with this id in the tenant (deleted contacts and other tenants' contacts look the same). */
export class ContactNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('contact', id);
  }
}

/** Another live contact of the tenant already has this phone number. */
export class DuplicateContactPhoneError extends ConflictError {
  constructor(readonly phone: string) {
    super('CONTACT.DUPLICATE_PHONE', `phone: a contact with phone ${phone} already exists`, 'phone');
  }
}

/** The contact was soft-deleted already; a deleted contact cannot change or be deleted again. */
export class ContactAlreadyDeletedError extends RuleViolationError {
  constructor(id: string) {
    super('CONTACT.ALREADY_DELETED', `id: contact ${id} is already deleted`, 'id');
  }
}

/** The contact changed (or was deleted) since it was read: optimistic concurrency check failed. */
export class ContactVersionConflictError extends ConflictError {
  constructor(id: string, expectedVersion: number) {
    super(
      'CONTACT.VERSION_CONFLICT',
      `version: contact ${id} was modified concurrently (expected version ${expectedVersion})`,
      'version',
    );
  }
}

/** The live contact for a phone kept changing under a find-or-create (created and deleted again by
 *  concurrent work); the caller may retry. */
export class ContactPhoneContendedError extends ConflictError {
  constructor(phone: string) {
    super('CONTACT.PHONE_CONTENDED', `phone: the contact for ${phone} changed concurrently; retry`, 'phone');
  }
}

/** A proposed contact id is already used by another contact (a live or a deleted one, in any tenant). */
export class ContactIdTakenError extends ConflictError {
  constructor(readonly id: string) {
    super('CONTACT.ID_TAKEN', `id: contact id ${id} is already taken`, 'id');
  }
}
