/** A WhatsApp message as our use cases see it, whatever the WAHA engine and event it came from.
 *  Plain JSON (dates as ISO strings) so it can travel in workflow inputs unchanged. */
export type InboundMessageType =
  'text' | 'image' | 'audio' | 'video' | 'document' | 'location' | 'contact' | 'sticker' | 'reaction' | 'other';

export interface InboundMedia {
  url: string | null;
  mimetype: string | null;
  filename: string | null;
  error: string | null;
}

export interface AdReferral {
  sourceType: string | null;
  sourceId: string | null;
  sourceUrl: string | null;
  ctwaClid: string | null;
  title: string | null;
  body: string | null;
  entryPoint: string | null;
  raw: Record<string, unknown>;
}

export interface InboundMessage {
  /** Canonical WAHA id `{fromMe}_{chatId}_{rawId}[_{participant}]` (jids as canonicalJid spells them,
   *  whatever shape WAHA sent): the idempotency key per channel. */
  externalId: string;
  chatId: string;
  rawId: string;
  direction: 'inbound' | 'outbound';
  /** `api` for messages sent through WAHA, `app` for the phone or other devices. */
  source: 'api' | 'app' | null;
  /** WhatsApp time (payload.timestamp is unix seconds). */
  sentAt: string;
  type: InboundMessageType;
  text: string | null;
  media: InboundMedia | null;
  /** Outbound messages arrive with their current ack (1 = server). */
  ack: number | null;
  /** The customer: for 1:1 chats the counterparty, in groups the participant who wrote. */
  contact: { phone: string; whatsappId: string; name: string | null };
  group: { chatId: string; participant: string } | null;
  replyTo: { id: string | null; body: string | null } | null;
  location: { latitude: string; longitude: string; name: string | null; address: string | null } | null;
  vCards: string[];
  adReferral: AdReferral | null;
  /** When our api accepted the webhook that carried it (ISO): set for sagas, for the saga-duration
   *  metric; never stored. */
  receivedAt?: string;
}
