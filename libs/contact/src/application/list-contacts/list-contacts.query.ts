export interface ListContactsQuery {
  tenantId: string;
  /** 1 to 200; defaults to 50. */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
  /** Matches contacts whose phone starts with the term's digits (when the term looks like a phone
   *  number, e.g. `+55 11`) or whose name contains the term, ignoring case. */
  search?: string;
}
