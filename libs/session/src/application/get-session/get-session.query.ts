export interface GetSessionQuery {
  tenantId: string;
  sessionId: string;
  /** Lock the session's row until the current unit of work ends (needs one), so it cannot end while
   *  the caller stores something that refers to it. */
  forUpdate?: boolean;
}
