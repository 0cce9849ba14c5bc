/** A session status WAHA reported for a channel (`session.status` webhook or `GET /api/sessions/{s}`). */
export interface RecordWahaSessionStatusCommand {
  channelId: string;
  /** When known, the channel must belong to this tenant. The inbound path knows only the channel. */
  tenantId?: string;
  /** `WORKING`, `STARTING`, `SCAN_QR_CODE`, `FAILED`, `STOPPED`, ... */
  status: string;
  /** When WAHA reported it: a Date, an ISO 8601 string or epoch milliseconds (WAHA's envelope
   *  `timestamp`). */
  at: Date | string | number;
}
