import { type ContactSource } from '../../domain/contact-source';

/** The phone identifies the contact; the other fields are used only when it has to be created. */
export interface FindOrCreateContactByPhoneCommand {
  tenantId: string;
  /** Any accepted format, typically a WhatsApp id such as `5511999990000@c.us`. */
  phone: string;
  whatsappId?: string | null;
  name?: string | null;
  profilePictureUrl?: string | null;
  /** Defaults to `whatsapp`. */
  source?: ContactSource;
}
