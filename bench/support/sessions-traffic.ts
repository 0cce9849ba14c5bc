import { signedMessageWebhook } from './inbound-traffic';

/** WAHA `message` webhooks for `npm run bench:sessions`: one message per distinct contact, with the
 *  WhatsApp timestamp (the message's sentAt, unix seconds) the bench chooses, signed for the channel. */

export interface SessionsChannel {
  tenantId: string;
  channelId: string;
  webhookSecret: string;
}

export interface BuiltWebhook {
  externalId: string;
  phone: string;
  body: string;
  signature: string;
}

/** The inbound message of contact `phone`, sent (WhatsApp timestamp) at `sentAtSeconds`; the envelope time is now. */
export function buildSessionMessage(channel: SessionsChannel, phone: string, sentAtSeconds: number): BuiltWebhook {
  return { ...signedMessageWebhook(channel.webhookSecret, phone, sentAtSeconds, 'Oi, tudo bem?'), phone };
}
