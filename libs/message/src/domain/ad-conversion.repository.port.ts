import { type AdConversion } from './ad-conversion.aggregate';

export abstract class AdConversionRepository {
  /** Stores the conversion unless its message has one already (unique index). Returns whether this call stored it. */
  abstract insertIfAbsent(conversion: AdConversion): Promise<boolean>;
  abstract findByMessageId(tenantId: string, messageId: string): Promise<AdConversion | null>;
}
