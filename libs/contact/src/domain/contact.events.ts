import { type ContactFirstTouch } from './contact-first-touch';
import { type ContactSource } from './contact-source';

/** Outbox `type`s raised by the Contact aggregate (`aggregateType` is `contact`). */
export const ContactEventTypes = {
  created: 'contact.created',
  updated: 'contact.updated',
  deleted: 'contact.deleted',
} as const;
export type ContactEventType = (typeof ContactEventTypes)[keyof typeof ContactEventTypes];

export const CONTACT_AGGREGATE_TYPE = 'contact';

/** The contact as every contact event carries it. Part of the public event contract: add fields,
 *  never rename or remove them. The first touch is deliberately not part of it (it can be up to
 *  16 KiB and never changes once set): it travels once, in the `changes` of the `contact.updated`
 *  that records it. */
export interface ContactSnapshot {
  id: string;
  /** E.164 digits with country code, no plus: `5511999990000`. */
  phone: string;
  whatsappId: string | null;
  name: string | null;
  profilePictureUrl: string | null;
  source: ContactSource;
}

/** `data` of `contact.created`. */
export interface ContactCreatedEventData extends ContactSnapshot {
  /** ISO 8601. */
  createdAt: string;
}

/** Fields a contact update can change. */
export type ContactChangeableField = 'phone' | 'whatsappId' | 'name' | 'profilePictureUrl';

/** Fields a `contact.updated` can name: the changeable ones, and `firstTouch` (set once, on its own). */
export type ContactUpdatedField = ContactChangeableField | 'firstTouch';

/** New values of the changed fields only, keyed by field name. */
export interface ContactChangedValues {
  phone?: string;
  whatsappId?: string | null;
  name?: string | null;
  profilePictureUrl?: string | null;
  /** Present only in the one `contact.updated` that records the contact's first touch. */
  firstTouch?: ContactFirstTouch;
}

/** `data` of `contact.updated`: the snapshot after the change, plus what changed. */
export interface ContactUpdatedEventData extends ContactSnapshot {
  /** Names of the changed fields, in a fixed order (phone, whatsappId, name, profilePictureUrl);
   *  `['firstTouch']` alone when the event records the first touch. */
  changedFields: ContactUpdatedField[];
  /** The new value of each changed field. */
  changes: ContactChangedValues;
  /** ISO 8601. */
  updatedAt: string;
}

/** `data` of `contact.deleted`: the snapshot at the time of the (soft) delete. */
export interface ContactDeletedEventData extends ContactSnapshot {
  /** ISO 8601. */
  deletedAt: string;
}
