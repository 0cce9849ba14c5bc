import { type ContactFirstTouch } from '../../domain/contact-first-touch';

export interface SetContactFirstTouchCommand {
  tenantId: string;
  contactId: string;
  /** First-touch attribution, e.g. the referral of the click-to-WhatsApp ad that started the
   *  conversation: a JSON object of at most 16 KiB as JSON. */
  firstTouch: ContactFirstTouch;
}
