export interface GetContactQuery {
  tenantId: string;
  id: string;
  /** Lock the contact's row until the current unit of work ends (needs one), so it cannot be deleted
   *  while the caller stores something that refers to it. */
  forUpdate?: boolean;
}
