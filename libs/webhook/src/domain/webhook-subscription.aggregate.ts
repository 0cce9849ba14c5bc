import { VersionedAggregateRoot, ValidationError, assertUuid } from '@app/shared';
import { truncateText } from './webhook-delivery';
import { parseEventTypes } from './webhook-event-filter';
import { type EncryptedSigningSecret } from './webhook-signature';
import { WebhookSubscriptionInactiveError } from './webhook.errors';
import { parseWebhookUrl } from './webhook-url';
import {
  WEBHOOK_SUBSCRIPTION_AGGREGATE_TYPE,
  WebhookEventTypes,
  type WebhookSubscriptionDisabledEventData,
  type WebhookTestEventData,
} from './webhook.events';

export const WEBHOOK_MAX_ATTEMPTS_MIN = 1;
export const WEBHOOK_MAX_ATTEMPTS_MAX = 50;
export const WEBHOOK_DESCRIPTION_MAX_LENGTH = 500;
export const WEBHOOK_DISABLED_REASON_MAX_LENGTH = 500;
export const WEBHOOK_TEST_MESSAGE_MAX_LENGTH = 500;
export const WEBHOOK_TEST_DEFAULT_MESSAGE = 'This is a test event from the CRM messaging API.';

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** Everything a subscription is made of; what the repository stores and reads back. */
export interface WebhookSubscriptionProps {
  id: string;
  tenantId: string;
  /** Normalised absolute http(s) URL. */
  url: string;
  description: string | null;
  /** Exact types, `*`, or prefix patterns (`session.*`). */
  eventTypes: string[];
  /** Only events whose `data.channelId` equals this; null: events of every channel (and none). */
  channelId: string | null;
  encryptedSecret: EncryptedSigningSecret;
  active: boolean;
  maxAttempts: number;
  consecutiveFailures: number;
  /** First failed attempt (timeout, network error, 408, 429, 5xx) since the endpoint last accepted
   *  one; null while it is healthy. Drives the endpoint backoff of new deliveries. */
  failingSince: Date | null;
  /** Set when the subscription was disabled automatically (410 Gone, too many failures). */
  disabledAt: Date | null;
  disabledReason: string | null;
  deletedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  /** Optimistic-concurrency version of the stored row (1 on insert, +1 per stored change). */
  version: number;
}

export interface NewWebhookSubscription {
  tenantId: string;
  url: string;
  eventTypes: string[];
  channelId?: string | null;
  description?: string | null;
  maxAttempts: number;
  encryptedSecret: EncryptedSigningSecret;
}

/** A change request: `undefined` leaves a field alone, `null` clears an optional one. */
export interface WebhookSubscriptionChanges {
  url?: string;
  eventTypes?: string[];
  channelId?: string | null;
  description?: string | null;
  maxAttempts?: number;
  active?: boolean;
}

export const WEBHOOK_SUBSCRIPTION_CHANGEABLE_FIELDS = [
  'url',
  'eventTypes',
  'channelId',
  'description',
  'maxAttempts',
  'active',
] as const;
export type WebhookSubscriptionChangeableField = (typeof WEBHOOK_SUBSCRIPTION_CHANGEABLE_FIELDS)[number];

/**
 * A tenant's endpoint for outbound webhooks: where to POST, which events, the signing secret (only
 * ever held encrypted), and its health (consecutive failed deliveries; disabled automatically after
 * too many, or at once when the endpoint answers 410 Gone). Deleting is soft.
 */
export class WebhookSubscription extends VersionedAggregateRoot {
  protected readonly aggregateType = WEBHOOK_SUBSCRIPTION_AGGREGATE_TYPE;

  private constructor(
    private readonly props: WebhookSubscriptionProps,
    persistedVersion: number,
  ) {
    super(props, persistedVersion);
  }

  /** A new, active subscription. `knownEventTypes` is the catalogue the filter is checked against. */
  static create(input: NewWebhookSubscription, knownEventTypes: readonly string[], at: Date): WebhookSubscription {
    assertUuid(input.tenantId, 'tenantId');
    return new WebhookSubscription(
      {
        id: globalThis.crypto.randomUUID(),
        tenantId: input.tenantId,
        url: parseWebhookUrl(input.url).href,
        description: parseDescription(input.description ?? null),
        eventTypes: parseEventTypes(input.eventTypes, knownEventTypes),
        channelId: parseChannelId(input.channelId ?? null),
        encryptedSecret: requireSecret(input.encryptedSecret),
        active: true,
        maxAttempts: parseMaxAttempts(input.maxAttempts),
        consecutiveFailures: 0,
        failingSince: null,
        disabledAt: null,
        disabledReason: null,
        deletedAt: null,
        createdAt: at,
        updatedAt: at,
        version: 1,
      },
      0,
    );
  }

  static rehydrate(props: WebhookSubscriptionProps): WebhookSubscription {
    return new WebhookSubscription({ ...props, eventTypes: [...props.eventTypes] }, props.version);
  }

  get id(): string {
    return this.props.id;
  }
  get tenantId(): string {
    return this.props.tenantId;
  }
  get url(): string {
    return this.props.url;
  }
  get description(): string | null {
    return this.props.description;
  }
  get eventTypes(): readonly string[] {
    return this.props.eventTypes;
  }
  get channelId(): string | null {
    return this.props.channelId;
  }
  get encryptedSecret(): EncryptedSigningSecret {
    return this.props.encryptedSecret;
  }
  get active(): boolean {
    return this.props.active;
  }
  get maxAttempts(): number {
    return this.props.maxAttempts;
  }
  get consecutiveFailures(): number {
    return this.props.consecutiveFailures;
  }
  get failingSince(): Date | null {
    return this.props.failingSince;
  }
  /** Dead deliveries counted, or the endpoint marked failing: what a success or `enable` clears. */
  get hasFailureRecord(): boolean {
    return this.props.consecutiveFailures > 0 || this.props.failingSince !== null;
  }
  get disabledAt(): Date | null {
    return this.props.disabledAt;
  }
  get disabledReason(): string | null {
    return this.props.disabledReason;
  }
  get deletedAt(): Date | null {
    return this.props.deletedAt;
  }
  /** Receives events: active and not deleted. */
  get isLive(): boolean {
    return this.props.active && this.props.deletedAt === null;
  }
  get createdAt(): Date {
    return this.props.createdAt;
  }
  get updatedAt(): Date {
    return this.props.updatedAt;
  }

  /**
   * Applies the given changes (PATCH semantics); values are checked first and nothing changes when
   * one is invalid. `active: true` re-enables (as `enable`), `active: false` pauses the subscription
   * without marking it disabled. Returns the names of the fields that really changed.
   */
  update(
    changes: WebhookSubscriptionChanges,
    knownEventTypes: readonly string[],
    at: Date,
  ): WebhookSubscriptionChangeableField[] {
    const next: Partial<Pick<WebhookSubscriptionProps, WebhookSubscriptionChangeableField>> = {};
    if (changes.url !== undefined) next.url = parseWebhookUrl(changes.url).href;
    if (changes.eventTypes !== undefined) next.eventTypes = parseEventTypes(changes.eventTypes, knownEventTypes);
    if (changes.channelId !== undefined) next.channelId = parseChannelId(changes.channelId);
    if (changes.description !== undefined) next.description = parseDescription(changes.description);
    if (changes.maxAttempts !== undefined) next.maxAttempts = parseMaxAttempts(changes.maxAttempts);
    if (changes.active !== undefined) {
      if (typeof changes.active !== 'boolean') throw new ValidationError('active', 'must be a boolean');
      next.active = changes.active;
    }

    const changed = WEBHOOK_SUBSCRIPTION_CHANGEABLE_FIELDS.filter((field) => {
      if (!(field in next)) return false;
      if (field === 'eventTypes') return next.eventTypes!.join('\n') !== this.props.eventTypes.join('\n');
      if (field === 'active' && next.active === true) {
        const p = this.props;
        return !p.active || p.disabledAt !== null || this.hasFailureRecord;
      }
      return next[field] !== this.props[field];
    });
    if (changed.length === 0) return [];
    for (const field of changed) {
      if (field === 'active') continue;
      (this.props as unknown as Record<string, unknown>)[field] = next[field];
    }
    if (changed.includes('active')) {
      if (next.active) this.reenable();
      else this.props.active = false;
    }
    this.touch(at);
    return changed;
  }

  /** Replaces the signing secret (its plaintext is shown to the caller once, never stored). */
  rotateSecret(secret: EncryptedSigningSecret, at: Date): void {
    this.props.encryptedSecret = requireSecret(secret);
    this.touch(at);
  }

  /** Active again: failure count reset, disabled mark cleared. Returns false when nothing changed. */
  enable(at: Date): boolean {
    const p = this.props;
    if (p.active && p.disabledAt === null && !this.hasFailureRecord) return false;
    this.reenable();
    this.touch(at);
    return true;
  }

  /** Soft delete: receives nothing from now on and is no longer listed. Returns false when it was
   *  already deleted. */
  delete(at: Date): boolean {
    if (this.props.deletedAt !== null) return false;
    this.props.deletedAt = at;
    this.touch(at);
    return true;
  }

  /** A delivery succeeded: the run of failures is over, and the endpoint is healthy again.
   *  Returns false when there was nothing to clear. */
  recordSuccessfulDelivery(at: Date): boolean {
    if (!this.hasFailureRecord) return false;
    this.props.consecutiveFailures = 0;
    this.props.failingSince = null;
    this.touch(at);
    return true;
  }

  /** An attempt failed in a way that says the endpoint is down or overloaded (timeout, network
   *  error, 408, 429, 5xx): the endpoint is failing from now, unless it already was. Returns false
   *  when it already was. */
  recordFailedAttempt(at: Date): boolean {
    if (this.props.failingSince !== null) return false;
    this.props.failingSince = at;
    this.touch(at);
    return true;
  }

  /** The endpoint answered (slowly, or with a refusal): it is up, so it is no longer failing. The
   *  consecutive failure count is left alone (only a success resets it). Returns false when it was
   *  not marked failing. */
  recordEndpointAnswered(at: Date): boolean {
    if (this.props.failingSince === null) return false;
    this.props.failingSince = null;
    this.touch(at);
    return true;
  }

  /**
   * Whether a new delivery to this endpoint is held back instead of started: while the endpoint is
   * failing, one delivery at a time probes it and the others wait (status `held`, no run) until a
   * success or `enable` clears the mark. A down endpoint then costs one retrying run, not one per
   * event, and its deliveries no longer compete with healthy endpoints' for the worker.
   */
  get holdsNewDeliveries(): boolean {
    return this.props.failingSince !== null;
  }

  /**
   * A delivery was dead-lettered: counts one more consecutive failure of a live subscription (a
   * paused, disabled or deleted one counts nothing) and disables it when the endpoint is gone (410)
   * or the count reaches `disableAfter`, recording `webhook.subscription_disabled`. Returns whether
   * this call disabled it.
   */
  recordFailedDelivery(
    input: { gone: boolean; reason: string; disableAfter: number },
    at: Date,
  ): { disabled: boolean } {
    const p = this.props;
    if (!this.isLive) return { disabled: false };
    p.consecutiveFailures += 1;
    this.touch(at);
    if (!input.gone && p.consecutiveFailures < input.disableAfter) return { disabled: false };
    const reason = truncateText(
      input.gone
        ? `the endpoint answered 410 Gone: ${input.reason}`
        : `${p.consecutiveFailures} consecutive deliveries failed; last: ${input.reason}`,
      WEBHOOK_DISABLED_REASON_MAX_LENGTH,
    );
    p.active = false;
    p.disabledAt = at;
    p.disabledReason = reason;
    this.record<WebhookSubscriptionDisabledEventData>(
      WebhookEventTypes.subscriptionDisabled,
      p.tenantId,
      p.id,
      { subscriptionId: p.id, reason, consecutiveFailures: p.consecutiveFailures },
      at,
    );
    return { disabled: true };
  }

  /** Records `webhook.test` (delivered to this subscription only). Needs a live subscription. */
  requestTest(message: string | null | undefined, at: Date): void {
    if (!this.isLive) throw new WebhookSubscriptionInactiveError(this.props.id);
    const text = message === null || message === undefined ? WEBHOOK_TEST_DEFAULT_MESSAGE : parseTestMessage(message);
    this.record<WebhookTestEventData>(
      WebhookEventTypes.test,
      this.props.tenantId,
      this.props.id,
      { subscriptionId: this.props.id, message: text },
      at,
    );
  }

  toProps(): WebhookSubscriptionProps {
    return { ...this.props, eventTypes: [...this.props.eventTypes] };
  }

  private reenable(): void {
    this.props.active = true;
    this.props.consecutiveFailures = 0;
    this.props.failingSince = null;
    this.props.disabledAt = null;
    this.props.disabledReason = null;
  }

  private touch(at: Date): void {
    this.props.updatedAt = at;
    this.bumpVersion();
  }
}

function parseDescription(value: unknown, field = 'description'): string | null {
  if (value === null) return null;
  if (typeof value !== 'string') throw new ValidationError(field, 'must be a string or null');
  const trimmed = value.trim();
  if (trimmed.length === 0) return null;
  if (trimmed.length > WEBHOOK_DESCRIPTION_MAX_LENGTH)
    throw new ValidationError(field, `must be at most ${WEBHOOK_DESCRIPTION_MAX_LENGTH} characters`);
  if (CONTROL_CHARACTERS.test(trimmed)) throw new ValidationError(field, 'must not contain control characters');
  return trimmed;
}

function parseTestMessage(value: unknown, field = 'message'): string {
  if (typeof value !== 'string') throw new ValidationError(field, 'must be a string');
  const trimmed = value.trim();
  if (trimmed.length === 0) return WEBHOOK_TEST_DEFAULT_MESSAGE;
  if (trimmed.length > WEBHOOK_TEST_MESSAGE_MAX_LENGTH)
    throw new ValidationError(field, `must be at most ${WEBHOOK_TEST_MESSAGE_MAX_LENGTH} characters`);
  if (CONTROL_CHARACTERS.test(trimmed)) throw new ValidationError(field, 'must not contain control characters');
  return trimmed;
}

function parseChannelId(value: unknown, field = 'channelId'): string | null {
  if (value === null) return null;
  assertUuid(value, field);
  return value.toLowerCase();
}

function parseMaxAttempts(value: unknown, field = 'maxAttempts'): number {
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < WEBHOOK_MAX_ATTEMPTS_MIN ||
    value > WEBHOOK_MAX_ATTEMPTS_MAX
  ) {
    throw new ValidationError(
      field,
      `must be an integer from ${WEBHOOK_MAX_ATTEMPTS_MIN} to ${WEBHOOK_MAX_ATTEMPTS_MAX}`,
    );
  }
  return value;
}

function requireSecret(value: unknown): EncryptedSigningSecret {
  if (typeof value !== 'string' || value.length === 0) throw new ValidationError('secret', 'must be set');
  return value as EncryptedSigningSecret;
}
