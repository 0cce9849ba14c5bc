import { AggregateRoot, ValidationError, assertUuid } from '@app/shared';
import {
  AD_CONVERSION_AGGREGATE_TYPE,
  type AdConversionRecordedEventData,
  AdConversionEventTypes,
} from './ad-conversion.events';
import { type AdReferral, type AdReferralInput, normaliseAdReferral, sanitiseJson } from './message-content';

/** Largest raw referral kept (serialised); WhatsApp's ad context is a few kilobytes. */
const RAW_MAX_BYTES = 256 * 1024;

export interface AdConversionProps extends AdReferral {
  id: string;
  tenantId: string;
  messageId: string;
  contactId: string;
  sessionId: string;
  channelId: string;
  /** The ad context as WAHA delivered it (`externalAdReply` and its neighbours). */
  raw: Record<string, unknown>;
  createdAt: Date;
}

export interface AdReferralWithRaw extends AdReferralInput {
  raw?: Record<string, unknown> | null;
}

export interface NewAdConversion {
  tenantId: string;
  messageId: string;
  contactId: string;
  sessionId: string;
  channelId: string;
  referral: AdReferralWithRaw;
}

/** A message that came from a Click-to-WhatsApp ad: at most one per message. */
export class AdConversion extends AggregateRoot {
  protected readonly aggregateType = AD_CONVERSION_AGGREGATE_TYPE;

  private constructor(private readonly props: AdConversionProps) {
    super();
  }

  /** A new conversion; records `tracking.ad_conversion`. */
  static record(input: NewAdConversion, now: Date): AdConversion {
    assertUuid(input.tenantId, 'tenantId');
    assertUuid(input.messageId, 'messageId');
    assertUuid(input.contactId, 'contactId');
    assertUuid(input.sessionId, 'sessionId');
    assertUuid(input.channelId, 'channelId');
    if (typeof input.referral !== 'object' || input.referral === null || Array.isArray(input.referral)) {
      throw new ValidationError('referral', 'must be an object');
    }
    const referral = normaliseAdReferral(input.referral, 'referral') as AdReferral;
    const raw = normaliseRaw(input.referral.raw);
    if (Object.values(referral).every((value) => value === null) && Object.keys(raw).length === 0) {
      throw new ValidationError('referral', 'carries no ad data');
    }
    const conversion = new AdConversion({
      id: globalThis.crypto.randomUUID(),
      tenantId: input.tenantId,
      messageId: input.messageId,
      contactId: input.contactId,
      sessionId: input.sessionId,
      channelId: input.channelId,
      ...referral,
      raw,
      createdAt: now,
    });
    const { tenantId: _tenantId, raw: _raw, createdAt, ...data } = conversion.props;
    conversion.record<AdConversionRecordedEventData>(
      AdConversionEventTypes.recorded,
      conversion.tenantId,
      conversion.id,
      { ...data, createdAt: createdAt.toISOString() },
      now,
    );
    return conversion;
  }

  static rehydrate(props: AdConversionProps): AdConversion {
    return new AdConversion({ ...props });
  }

  get id(): string {
    return this.props.id;
  }
  get tenantId(): string {
    return this.props.tenantId;
  }
  get messageId(): string {
    return this.props.messageId;
  }

  toProps(): AdConversionProps {
    return { ...this.props };
  }
}

function normaliseRaw(raw: unknown): Record<string, unknown> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ValidationError('referral.raw', 'must be an object');
  const clean = sanitiseJson(raw, 'referral.raw') as Record<string, unknown>;
  if (new TextEncoder().encode(JSON.stringify(clean)).length > RAW_MAX_BYTES) {
    throw new ValidationError('referral.raw', `must be at most ${RAW_MAX_BYTES} bytes as JSON`);
  }
  return clean;
}
