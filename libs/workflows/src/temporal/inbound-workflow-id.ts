import { createHash } from 'node:crypto';

/**
 * The inbound saga's id, `inbound:{channelId}:{digest}`: a business key (the same message always
 * gets the same id, so WAHA's duplicate deliveries start one run), with the WAHA message id hashed
 * because it holds the sender's number (`false_5511…@c.us_AC4A…`) and workflow ids are stored in
 * clear in histories and visibility, outside any payload codec. SHA-256, 128 bits in base64url: the
 * message id's random part makes the digest unguessable from a phone number alone.
 */
export function inboundMessageWorkflowId(channelId: string, externalMessageId: string): string {
  const digest = createHash('sha256').update(externalMessageId, 'utf8').digest('base64url').slice(0, 22);
  return `inbound:${channelId}:${digest}`;
}
