import { type AdReferralWithRaw } from '../../domain/ad-conversion.aggregate';

export interface RecordAdConversionCommand {
  tenantId: string;
  /** The message that came from the ad; contactId, sessionId and channelId must be its own. */
  messageId: string;
  contactId: string;
  sessionId: string;
  channelId: string;
  referral: AdReferralWithRaw;
}
