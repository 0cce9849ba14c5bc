/** Outbox `type` raised when a message turns out to come from a Click-to-WhatsApp ad. */
export const AdConversionEventTypes = {
  recorded: 'tracking.ad_conversion',
} as const;

export const AD_CONVERSION_AGGREGATE_TYPE = 'ad_conversion';

/** `data` of `tracking.ad_conversion`. Part of the public event contract: add fields, never rename
 *  or remove them. The raw referral is kept on the row, not in the event. */
export interface AdConversionRecordedEventData {
  /** The conversion id. */
  id: string;
  messageId: string;
  contactId: string;
  sessionId: string;
  channelId: string;
  sourceType: string | null;
  sourceId: string | null;
  sourceUrl: string | null;
  ctwaClid: string | null;
  title: string | null;
  body: string | null;
  entryPoint: string | null;
  /** ISO 8601. */
  createdAt: string;
}
