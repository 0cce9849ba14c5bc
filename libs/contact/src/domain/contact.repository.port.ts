import { type KeysetPosition, type Positioned } from '@app/shared';
import { type Contact } from './contact.aggregate';
import { type PhoneNumber } from './phone-number.value-object';

/** What a contact list is narrowed to. A contact matches when either condition holds. */
export interface ContactSearch {
  /** Digits the phone must start with (already normalised), or null to not match on phone. */
  phonePrefix: string | null;
  /** Text the name must contain, case-insensitively (taken literally: `%` and `_` are not wildcards). */
  nameContains: string;
}

export interface ContactListCriteria {
  /** Maximum number of contacts returned. */
  limit: number;
  /** Return only contacts after this position in the (createdAt DESC, id DESC) order. */
  after?: KeysetPosition;
  search?: ContactSearch;
}

/**
 * Persistence of Contact aggregates. Every method is scoped to a tenant, and every method joins
 * the current unit of work when called inside one. "Live" means not soft-deleted.
 */
export abstract class ContactRepository {
  /** Stores a new contact. Throws DuplicateContactPhoneError when the tenant already has a live
   *  contact with this phone, and ContactIdTakenError when its id is already used. */
  abstract insert(contact: Contact): Promise<void>;

  /** Stores a new contact unless the tenant already has a live contact with its phone (decided by
   *  the database's unique index, so it is race-free). Returns whether this call stored it. Throws
   *  ContactIdTakenError when its id is already used by another (e.g. deleted) contact. */
  abstract insertIfAbsent(contact: Contact): Promise<boolean>;

  /** The live contact with this id in the tenant, or null. */
  abstract findById(tenantId: string, id: string): Promise<Contact | null>;

  /** Like findById, but locks the contact's row until the current unit of work ends, so concurrent
   *  read-modify-write use cases on one contact run one after the other. Must run inside a unit of work. */
  abstract findByIdForUpdate(tenantId: string, id: string): Promise<Contact | null>;

  /** The live contact with this phone in the tenant, or null. */
  abstract findLiveByPhone(tenantId: string, phone: PhoneNumber): Promise<Contact | null>;

  /** Live contacts of the tenant, newest first: ordered by (createdAt DESC, id DESC). */
  abstract list(tenantId: string, criteria: ContactListCriteria): Promise<Positioned<Contact>[]>;

  /** Stores the changes of a live contact (including a soft delete) if the stored row still has the
   *  version the contact was read with. Throws ContactVersionConflictError when it changed meanwhile,
   *  ContactNotFoundError when it is gone, and DuplicateContactPhoneError when a new phone is taken. */
  abstract update(contact: Contact): Promise<void>;
}
