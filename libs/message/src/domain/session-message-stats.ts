/** Message counts and times of one session: what its summary is built from when it ends.
 *  Times are WhatsApp times (`sentAt`); revoked messages count, since they were sent. */
export interface SessionMessageStats {
  inbound: number;
  outbound: number;
  firstMessageAt: Date | null;
  lastMessageAt: Date | null;
  firstInboundAt: Date | null;
  /** First outbound message at or after the first inbound one, not counting automated ones (timeout
   *  warnings): the first response by a person. */
  firstOutboundAfterInboundAt: Date | null;
}
