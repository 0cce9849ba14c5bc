import { type AdConversion } from '../domain/ad-conversion.aggregate';

/** A recorded Click-to-WhatsApp ad conversion, plain and serialisable. */
export interface AdConversionView {
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
  raw: Record<string, unknown>;
  createdAt: string;
}

export function toAdConversionView(conversion: AdConversion): AdConversionView {
  const { tenantId: _tenantId, createdAt, ...rest } = conversion.toProps();
  return { ...rest, createdAt: createdAt.toISOString() };
}
