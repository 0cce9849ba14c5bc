export interface ApplyMessageAckCommand {
  tenantId: string;
  channelId: string;
  /** WAHA id of the acked message (`payload.id` of `message.ack`); a 4th segment is ignored. */
  externalId: string;
  /** WAHA ack: -1 ERROR, 0 PENDING, 1 SERVER, 2 DEVICE, 3 READ, 4 PLAYED. */
  ack: number;
  /** WhatsApp time of the ack. */
  at: Date;
}
