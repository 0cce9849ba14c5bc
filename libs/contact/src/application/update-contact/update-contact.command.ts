/** Absent fields stay as they are; `null` clears an optional field. */
export interface UpdateContactCommand {
  tenantId: string;
  id: string;
  /** A new phone number in any accepted format; must not belong to another live contact. */
  phone?: string;
  whatsappId?: string | null;
  name?: string | null;
  profilePictureUrl?: string | null;
}
