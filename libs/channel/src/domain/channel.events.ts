import { type ChannelType, type InboundMode } from './channel-settings';

/** Outbox `type`s raised by the Channel aggregate (`aggregateType` is `channel`). */
export const ChannelEventTypes = {
  created: 'channel.created',
  updated: 'channel.updated',
} as const;
export type ChannelEventType = (typeof ChannelEventTypes)[keyof typeof ChannelEventTypes];

export const CHANNEL_AGGREGATE_TYPE = 'channel';

/** The channel as every channel event carries it. Never contains a secret: whether a WAHA API key
 *  is set is all it says about one. Part of the public event contract: add fields, never rename or
 *  remove them. */
export interface ChannelSnapshot {
  id: string;
  name: string;
  type: ChannelType;
  wahaBaseUrl: string;
  wahaSession: string;
  hasWahaApiKey: boolean;
  allowGroups: boolean;
  sessionTimeoutSeconds: number | null;
  sessionWarningLeadSeconds: number | null;
  sessionWarningText: string | null;
  debounceWindowMs: number | null;
  inboundMode: InboundMode | null;
  wahaStatus: string | null;
  /** ISO 8601, or null before WAHA first reported a status. */
  wahaStatusAt: string | null;
}

/** `data` of `channel.created`. */
export interface ChannelCreatedEventData extends ChannelSnapshot {
  /** ISO 8601. */
  createdAt: string;
}

/** Fields a channel change can touch, in the order `changedFields` lists them. */
export const CHANNEL_CHANGEABLE_FIELDS = [
  'name',
  'wahaBaseUrl',
  'wahaSession',
  'wahaApiKey',
  'webhookSecret',
  'allowGroups',
  'sessionTimeoutSeconds',
  'sessionWarningLeadSeconds',
  'sessionWarningText',
  'debounceWindowMs',
  'inboundMode',
  'wahaStatus',
] as const;
export type ChannelChangeableField = (typeof CHANNEL_CHANGEABLE_FIELDS)[number];

/** New values of the changed non-secret fields. A changed `wahaApiKey` or `webhookSecret` appears
 *  only by name in `changedFields`, never with a value. */
export interface ChannelChangedValues {
  name?: string;
  wahaBaseUrl?: string;
  wahaSession?: string;
  allowGroups?: boolean;
  sessionTimeoutSeconds?: number | null;
  sessionWarningLeadSeconds?: number | null;
  sessionWarningText?: string | null;
  debounceWindowMs?: number | null;
  inboundMode?: InboundMode | null;
  wahaStatus?: string | null;
  /** Present with `wahaStatus`: when WAHA reported it (ISO 8601). */
  wahaStatusAt?: string | null;
}

/** `data` of `channel.updated`: the snapshot after the change, plus what changed. */
export interface ChannelUpdatedEventData extends ChannelSnapshot {
  changedFields: ChannelChangeableField[];
  changes: ChannelChangedValues;
  /** ISO 8601. */
  updatedAt: string;
}
