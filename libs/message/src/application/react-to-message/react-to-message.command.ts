/** A WAHA `message.reaction`: `reaction.text` is the emoji (empty = removed), `reaction.messageId`
 *  the reacted-to message, `id` the reaction message itself. */
export interface ReactToMessageCommand {
  tenantId: string;
  channelId: string;
  /** Full WAHA id of the message reacted to. */
  targetExternalId: string;
  /** WhatsApp id of whoever reacted (participant in groups, the chat for 1:1 inbound, own id for outbound). */
  reactorId: string;
  /** The emoji; empty string when the reaction was removed. */
  emoji: string;
  /** WAHA id of the reaction message; makes the call idempotent. */
  reactionExternalId: string;
  /** WhatsApp time of the reaction. */
  at: Date;
}
