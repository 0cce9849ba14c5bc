import { VersionedAggregateRoot, ValidationError, assertUuid } from '@app/shared';
import { type EncryptedSecret } from './channel-secrets';
import {
  type ChannelType,
  DEBOUNCE_WINDOW_MAX_MS,
  DEBOUNCE_WINDOW_MIN_MS,
  DEFAULT_WAHA_SESSION,
  type InboundMode,
  SESSION_TIMEOUT_MAX_SECONDS,
  SESSION_TIMEOUT_MIN_SECONDS,
  SESSION_WARNING_LEAD_MIN_SECONDS,
  parseBoolean,
  parseChannelName,
  parseChannelType,
  parseInboundMode,
  parseOptionalInteger,
  parseWahaBaseUrl,
  parseWahaSession,
  parseWahaSessionStatus,
  parseWarningText,
} from './channel-settings';
import {
  CHANNEL_AGGREGATE_TYPE,
  CHANNEL_CHANGEABLE_FIELDS,
  type ChannelChangeableField,
  type ChannelChangedValues,
  type ChannelCreatedEventData,
  ChannelEventTypes,
  type ChannelSnapshot,
  type ChannelUpdatedEventData,
} from './channel.events';

/** Everything a channel is made of; what the repository stores and reads back. */
export interface ChannelProps {
  id: string;
  tenantId: string;
  name: string;
  type: ChannelType;
  /** Absolute http(s) URL without a trailing slash. */
  wahaBaseUrl: string;
  wahaSession: string;
  encryptedWahaApiKey: EncryptedSecret | null;
  encryptedWebhookSecret: EncryptedSecret;
  allowGroups: boolean;
  /** null: the tenant's default applies (30 minutes when the tenant has none). */
  sessionTimeoutSeconds: number | null;
  /** null: no warning before an idle session closes. */
  sessionWarningLeadSeconds: number | null;
  sessionWarningText: string | null;
  /** null: inbound messages are not debounced. */
  debounceWindowMs: number | null;
  /** null: the configured default mode. */
  inboundMode: InboundMode | null;
  /** Last session status WAHA reported, and when it reported it. */
  wahaStatus: string | null;
  wahaStatusAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  /** Optimistic-concurrency version of the stored row (1 on insert, +1 per stored change). */
  version: number;
}

export interface NewChannel {
  tenantId: string;
  name: string;
  /** Defaults to `waha`. */
  type?: ChannelType;
  wahaBaseUrl: string;
  /** Defaults to `default`. */
  wahaSession?: string | null;
  encryptedWahaApiKey?: EncryptedSecret | null;
  encryptedWebhookSecret: EncryptedSecret;
  /** Defaults to false. */
  allowGroups?: boolean;
  sessionTimeoutSeconds?: number | null;
  sessionWarningLeadSeconds?: number | null;
  sessionWarningText?: string | null;
  debounceWindowMs?: number | null;
  inboundMode?: InboundMode | null;
}

/** A change request: `undefined` (or absent) leaves a field alone, `null` clears an optional one. */
export interface ChannelChanges {
  name?: string;
  wahaBaseUrl?: string;
  wahaSession?: string;
  /** Ciphertexts cannot be compared, so a given key always counts as a change: pass it only when
   *  the plaintext differs from the current one. `null` removes the key. */
  encryptedWahaApiKey?: EncryptedSecret | null;
  allowGroups?: boolean;
  sessionTimeoutSeconds?: number | null;
  sessionWarningLeadSeconds?: number | null;
  sessionWarningText?: string | null;
  debounceWindowMs?: number | null;
  inboundMode?: InboundMode | null;
}

/** What a reported WAHA session status did: `changed` the status, only `refreshed` the time of the
 *  last report (same status, later time), or was `ignored` because a later report is stored. */
export type WahaStatusOutcome = 'changed' | 'refreshed' | 'ignored';

type SessionSettings = Pick<ChannelProps, 'sessionTimeoutSeconds' | 'sessionWarningLeadSeconds' | 'sessionWarningText'>;

/**
 * A WhatsApp number connected through a WAHA server: where to reach WAHA, the secrets for both
 * directions (our calls to WAHA, WAHA's signed webhooks to us), and how conversations on it behave
 * (session timeout and warning, debouncing, groups, inbound processing mode).
 */
export class Channel extends VersionedAggregateRoot {
  protected readonly aggregateType = CHANNEL_AGGREGATE_TYPE;

  private constructor(
    private readonly props: ChannelProps,
    persistedVersion: number,
  ) {
    super(props, persistedVersion);
  }

  /** A new channel; records `channel.created`. */
  static create(input: NewChannel, at: Date): Channel {
    assertUuid(input.tenantId, 'tenantId');
    const settings: SessionSettings = {
      sessionTimeoutSeconds: parseTimeout(input.sessionTimeoutSeconds ?? null),
      sessionWarningLeadSeconds: parseWarningLead(input.sessionWarningLeadSeconds ?? null),
      sessionWarningText: parseWarningText(input.sessionWarningText ?? null),
    };
    assertWarningRules(settings);
    const channel = new Channel(
      {
        id: globalThis.crypto.randomUUID(),
        tenantId: input.tenantId,
        name: parseChannelName(input.name),
        type: parseChannelType(input.type ?? 'waha'),
        wahaBaseUrl: parseWahaBaseUrl(input.wahaBaseUrl),
        wahaSession: parseWahaSession(input.wahaSession ?? DEFAULT_WAHA_SESSION),
        encryptedWahaApiKey: requireSecretOrNull(input.encryptedWahaApiKey ?? null, 'wahaApiKey'),
        encryptedWebhookSecret: requireSecret(input.encryptedWebhookSecret, 'webhookSecret'),
        allowGroups: parseBoolean(input.allowGroups ?? false, 'allowGroups'),
        ...settings,
        debounceWindowMs: parseDebounceWindow(input.debounceWindowMs ?? null),
        inboundMode: parseInboundMode(input.inboundMode ?? null),
        wahaStatus: null,
        wahaStatusAt: null,
        createdAt: at,
        updatedAt: at,
        version: 1,
      },
      0,
    );
    channel.record<ChannelCreatedEventData>(
      ChannelEventTypes.created,
      channel.tenantId,
      channel.id,
      { ...channel.snapshot(), createdAt: at.toISOString() },
      at,
    );
    return channel;
  }

  /** Rebuilds a stored channel; records nothing. */
  static rehydrate(props: ChannelProps): Channel {
    return new Channel({ ...props }, props.version);
  }

  get id(): string {
    return this.props.id;
  }
  get tenantId(): string {
    return this.props.tenantId;
  }
  get name(): string {
    return this.props.name;
  }
  get type(): ChannelType {
    return this.props.type;
  }
  get wahaBaseUrl(): string {
    return this.props.wahaBaseUrl;
  }
  get wahaSession(): string {
    return this.props.wahaSession;
  }
  get encryptedWahaApiKey(): EncryptedSecret | null {
    return this.props.encryptedWahaApiKey;
  }
  get encryptedWebhookSecret(): EncryptedSecret {
    return this.props.encryptedWebhookSecret;
  }
  get hasWahaApiKey(): boolean {
    return this.props.encryptedWahaApiKey !== null;
  }
  get allowGroups(): boolean {
    return this.props.allowGroups;
  }
  get sessionTimeoutSeconds(): number | null {
    return this.props.sessionTimeoutSeconds;
  }
  get sessionWarningLeadSeconds(): number | null {
    return this.props.sessionWarningLeadSeconds;
  }
  get sessionWarningText(): string | null {
    return this.props.sessionWarningText;
  }
  get debounceWindowMs(): number | null {
    return this.props.debounceWindowMs;
  }
  get inboundMode(): InboundMode | null {
    return this.props.inboundMode;
  }
  get wahaStatus(): string | null {
    return this.props.wahaStatus;
  }
  get wahaStatusAt(): Date | null {
    return this.props.wahaStatusAt;
  }
  get createdAt(): Date {
    return this.props.createdAt;
  }
  get updatedAt(): Date {
    return this.props.updatedAt;
  }

  /**
   * Applies the given changes. Values are normalised and validated first, including the rules that
   * span fields (the warning lead must be shorter than the timeout and needs a text), which are
   * checked on the resulting settings; nothing changes when any check fails. Only fields whose
   * value differs count as changed. Records one `channel.updated` naming the changed fields and the
   * new values of the non-secret ones; records nothing when nothing changed. Returns the changed
   * field names.
   */
  update(changes: ChannelChanges, at: Date): ChannelChangeableField[] {
    const next: Partial<ChannelProps> = {};
    if (changes.name !== undefined) next.name = parseChannelName(changes.name);
    if (changes.wahaBaseUrl !== undefined) next.wahaBaseUrl = parseWahaBaseUrl(changes.wahaBaseUrl);
    if (changes.wahaSession !== undefined) next.wahaSession = parseWahaSession(changes.wahaSession);
    if (changes.encryptedWahaApiKey !== undefined)
      next.encryptedWahaApiKey = requireSecretOrNull(changes.encryptedWahaApiKey, 'wahaApiKey');
    if (changes.allowGroups !== undefined) next.allowGroups = parseBoolean(changes.allowGroups, 'allowGroups');
    if (changes.sessionTimeoutSeconds !== undefined)
      next.sessionTimeoutSeconds = parseTimeout(changes.sessionTimeoutSeconds);
    if (changes.sessionWarningLeadSeconds !== undefined)
      next.sessionWarningLeadSeconds = parseWarningLead(changes.sessionWarningLeadSeconds);
    if (changes.sessionWarningText !== undefined)
      next.sessionWarningText = parseWarningText(changes.sessionWarningText);
    if (changes.debounceWindowMs !== undefined) next.debounceWindowMs = parseDebounceWindow(changes.debounceWindowMs);
    if (changes.inboundMode !== undefined) next.inboundMode = parseInboundMode(changes.inboundMode);
    assertWarningRules({
      sessionTimeoutSeconds:
        next.sessionTimeoutSeconds !== undefined ? next.sessionTimeoutSeconds : this.props.sessionTimeoutSeconds,
      sessionWarningLeadSeconds:
        next.sessionWarningLeadSeconds !== undefined
          ? next.sessionWarningLeadSeconds
          : this.props.sessionWarningLeadSeconds,
      sessionWarningText:
        next.sessionWarningText !== undefined ? next.sessionWarningText : this.props.sessionWarningText,
    });

    const changed = CHANNEL_CHANGEABLE_FIELDS.filter((field) => {
      const key = propOf(field);
      return key in next && next[key] !== this.props[key];
    });
    if (changed.length === 0) return [];

    const values: ChannelChangedValues = {};
    for (const field of changed) {
      const key = propOf(field);
      (this.props as unknown as Record<string, unknown>)[key] = next[key];
      if (!isSecretField(field)) (values as Record<string, unknown>)[field] = next[key];
    }
    this.touch(at);
    this.recordUpdated(changed, values, at);
    return changed;
  }

  /** Replaces the webhook HMAC secret; records `channel.updated` naming `webhookSecret` (never its value). */
  rotateWebhookSecret(secret: EncryptedSecret, at: Date): void {
    this.props.encryptedWebhookSecret = requireSecret(secret, 'webhookSecret');
    this.touch(at);
    this.recordUpdated(['webhookSecret'], {}, at);
  }

  /**
   * Takes a session status WAHA reported at `reportedAt`. Reports arrive out of order, so one that
   * is not later than the stored report is ignored. A new status records `channel.updated`; the
   * same status reported later only moves `wahaStatusAt` (stored, no event).
   */
  recordWahaStatus(status: string, reportedAt: Date, at: Date): WahaStatusOutcome {
    const parsed = parseWahaSessionStatus(status);
    if (!(reportedAt instanceof Date) || Number.isNaN(reportedAt.getTime()))
      throw new ValidationError('at', 'must be a valid time');
    const last = this.props.wahaStatusAt;
    if (last !== null && reportedAt.getTime() <= last.getTime()) return 'ignored';

    const changed = parsed !== this.props.wahaStatus;
    this.props.wahaStatus = parsed;
    this.props.wahaStatusAt = reportedAt;
    this.touch(at);
    if (!changed) return 'refreshed';
    this.recordUpdated(['wahaStatus'], { wahaStatus: parsed, wahaStatusAt: reportedAt.toISOString() }, at);
    return 'changed';
  }

  /** The fields every channel event carries (no secrets). */
  snapshot(): ChannelSnapshot {
    const p = this.props;
    return {
      id: p.id,
      name: p.name,
      type: p.type,
      wahaBaseUrl: p.wahaBaseUrl,
      wahaSession: p.wahaSession,
      hasWahaApiKey: p.encryptedWahaApiKey !== null,
      allowGroups: p.allowGroups,
      sessionTimeoutSeconds: p.sessionTimeoutSeconds,
      sessionWarningLeadSeconds: p.sessionWarningLeadSeconds,
      sessionWarningText: p.sessionWarningText,
      debounceWindowMs: p.debounceWindowMs,
      inboundMode: p.inboundMode,
      wahaStatus: p.wahaStatus,
      wahaStatusAt: p.wahaStatusAt ? p.wahaStatusAt.toISOString() : null,
    };
  }

  /** A copy of the full state, for the persistence mapper. */
  toProps(): ChannelProps {
    return { ...this.props };
  }

  private recordUpdated(changedFields: ChannelChangeableField[], changes: ChannelChangedValues, at: Date): void {
    this.record<ChannelUpdatedEventData>(
      ChannelEventTypes.updated,
      this.tenantId,
      this.id,
      { ...this.snapshot(), changedFields, changes, updatedAt: at.toISOString() },
      at,
    );
  }

  /** One version step per save, however many changes are made before it. */
  private touch(at: Date): void {
    this.props.updatedAt = at;
    this.bumpVersion();
  }
}

function propOf(field: ChannelChangeableField): keyof ChannelProps {
  if (field === 'wahaApiKey') return 'encryptedWahaApiKey';
  if (field === 'webhookSecret') return 'encryptedWebhookSecret';
  return field;
}

function isSecretField(field: ChannelChangeableField): boolean {
  return field === 'wahaApiKey' || field === 'webhookSecret';
}

function parseTimeout(value: unknown): number | null {
  return parseOptionalInteger(
    value,
    'sessionTimeoutSeconds',
    SESSION_TIMEOUT_MIN_SECONDS,
    SESSION_TIMEOUT_MAX_SECONDS,
    'seconds',
  );
}

function parseWarningLead(value: unknown): number | null {
  return parseOptionalInteger(
    value,
    'sessionWarningLeadSeconds',
    SESSION_WARNING_LEAD_MIN_SECONDS,
    SESSION_TIMEOUT_MAX_SECONDS - 1,
    'seconds',
  );
}

function parseDebounceWindow(value: unknown): number | null {
  return parseOptionalInteger(
    value,
    'debounceWindowMs',
    DEBOUNCE_WINDOW_MIN_MS,
    DEBOUNCE_WINDOW_MAX_MS,
    'milliseconds',
  );
}

/** A warning needs a text to send, and must come before the session closes. (With no channel
 *  timeout the effective one is only known per tenant; the policy resolver drops a lead that is
 *  not shorter than it.) */
function assertWarningRules(settings: SessionSettings): void {
  const { sessionTimeoutSeconds: timeout, sessionWarningLeadSeconds: lead, sessionWarningText: text } = settings;
  if (lead === null) return;
  if (text === null) {
    throw new ValidationError(
      'sessionWarningLeadSeconds',
      'needs sessionWarningText, the message sent before an idle session closes',
    );
  }
  if (timeout !== null && lead >= timeout) {
    throw new ValidationError('sessionWarningLeadSeconds', `must be less than sessionTimeoutSeconds (${timeout})`);
  }
}

function requireSecret(value: unknown, field: string): EncryptedSecret {
  if (typeof value !== 'string' || value.length === 0) throw new ValidationError(field, 'must be set');
  return value as EncryptedSecret;
}

function requireSecretOrNull(value: unknown, field: string): EncryptedSecret | null {
  return value === null ? null : requireSecret(value, field);
}
