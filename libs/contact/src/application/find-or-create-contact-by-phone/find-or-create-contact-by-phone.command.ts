import { type ContactSource } from '../../domain/contact-source';

/** The phone identifies the contact; the other fields are used only when it has to be created. */
export interface FindOrCreateContactByPhoneCommand {
  /**
   * Proposed id (a UUID, always validated) for the contact if this call has to create it; ignored
   * when the tenant already has a live contact with the phone, which is returned with its own id.
   *
   * Lets a caller that must undo its work, such as a Temporal saga, choose the id deterministically
   * before the call: its compensation can then soft-delete exactly the contact with the proposed id.
   * That deletes the row this call created, and nothing when the call found an existing contact
   * (no live contact has the proposed id, so the delete finds nothing). Use the id, not `created`,
   * to decide ownership: a retry after a lost response finds the contact created by the first
   * attempt and answers `created: false`, with the proposed id. A proposed id already used by
   * another contact (e.g. one deleted by an earlier compensation) fails with ContactIdTakenError.
   */
  id?: string;
  tenantId: string;
  /** Any accepted format, typically a WhatsApp id such as `5511999990000@c.us`. */
  phone: string;
  whatsappId?: string | null;
  name?: string | null;
  profilePictureUrl?: string | null;
  /** Defaults to `whatsapp`. */
  source?: ContactSource;
}
