/** A WhatsApp "delete for everyone": WAHA's `message.revoked` names the deleted message by chat
 *  and bare raw id (`revokedMessageId`). */
export interface RevokeMessageCommand {
  tenantId: string;
  channelId: string;
  /** Chat of the revoked message, e.g. `5511999990001@c.us`. */
  chatId: string;
  /** Raw id of the revoked message (3rd segment of its WAHA id). */
  rawId: string;
  /** WhatsApp time of the revoke. */
  at: Date;
}
