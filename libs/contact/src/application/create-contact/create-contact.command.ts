import { type ContactSource } from '../../domain/contact-source';

export interface CreateContactCommand {
  /** A UUID to use as the contact's id instead of a random one (stored lower-case). Fails with
   *  ContactIdTakenError when another contact, live or deleted, already has it. */
  id?: string;
  tenantId: string;
  /** Any accepted format: `+55 (11) 99999-0000`, `0055...`, `5511999990000@c.us`. */
  phone: string;
  whatsappId?: string | null;
  name?: string | null;
  profilePictureUrl?: string | null;
  /** Defaults to `api`. */
  source?: ContactSource;
}
