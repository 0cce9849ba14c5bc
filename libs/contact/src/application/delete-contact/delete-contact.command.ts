export interface DeleteContactCommand {
  tenantId: string;
  id: string;
  /** Asked under the contact's row lock, before deleting: when it answers true the contact is kept
   *  and the call answers `deleted: false`. A saga rollback passes it, so it never deletes a contact
   *  that other work (another message, an active session) adopted meanwhile. */
  keepIfInUse?: () => Promise<boolean>;
}
