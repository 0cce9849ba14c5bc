import { type ContactFirstTouch } from '../domain/contact-first-touch';
import { type ContactSource } from '../domain/contact-source';
import { type Contact } from '../domain/contact.aggregate';

/** A live contact as handlers return it: plain and serialisable (dates are ISO 8601 strings). */
export interface ContactView {
  id: string;
  /** E.164 digits with country code, no plus: `5511999990000`. */
  phone: string;
  whatsappId: string | null;
  name: string | null;
  profilePictureUrl: string | null;
  source: ContactSource;
  /** First-touch attribution (e.g. the click-to-WhatsApp ad that brought the contact); null until
   *  recorded, never changed afterwards. */
  firstTouch: ContactFirstTouch | null;
  createdAt: string;
  updatedAt: string;
}

export function toContactView(contact: Contact): ContactView {
  return {
    id: contact.id,
    phone: contact.phone,
    whatsappId: contact.whatsappId,
    name: contact.name,
    profilePictureUrl: contact.profilePictureUrl,
    source: contact.source,
    firstTouch: contact.firstTouch,
    createdAt: contact.createdAt.toISOString(),
    updatedAt: contact.updatedAt.toISOString(),
  };
}
