import { type ChannelType, type InboundMode } from '../domain/channel-settings';
import { type Channel } from '../domain/channel.aggregate';
import { CLOSED_WAHA_CIRCUIT, type WahaCircuitState, type WahaCircuitStatus } from './waha/waha-circuit-state.port';

/** The path WAHA posts a channel's events to (configure it as the WAHA webhook `url` on our host). */
export function channelWebhookPath(channelId: string): string {
  return `/v1/channels/${channelId}/waha/events`;
}

/** The channel's WAHA circuit breaker as last recorded by a worker; `closed` with nulls when none
 *  ever opened. `open`: calls to WAHA fail fast (WAHA.CIRCUIT_OPEN) until a test call succeeds. */
export interface WahaCircuitView {
  state: WahaCircuitState;
  changedAt: string | null;
  /** The failure that opened the breaker last (kept after it closed again). */
  lastFailure: string | null;
}

/** A channel as handlers return it: plain, serialisable (dates are ISO 8601 strings) and free of
 *  secrets (`hasWahaApiKey` says whether a key is stored; the webhook secret is never shown). */
export interface ChannelView {
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
  wahaStatusAt: string | null;
  wahaCircuit: WahaCircuitView;
  /** `/v1/channels/{id}/waha/events`. */
  webhookPath: string;
  createdAt: string;
  updatedAt: string;
}

/** Returned only when a webhook secret is issued (channel created, secret rotated): the one time the
 *  plaintext is shown, so the operator can set it as WAHA's `hmac.key`. */
export interface ChannelWithWebhookSecretView extends ChannelView {
  webhookSecret: string;
}

/** `circuit`: the channel's recorded breaker state; handlers that do not read it (create, update,
 *  ...) show it closed. */
export function toChannelView(channel: Channel, circuit: WahaCircuitStatus = CLOSED_WAHA_CIRCUIT): ChannelView {
  return {
    id: channel.id,
    name: channel.name,
    type: channel.type,
    wahaBaseUrl: channel.wahaBaseUrl,
    wahaSession: channel.wahaSession,
    hasWahaApiKey: channel.hasWahaApiKey,
    allowGroups: channel.allowGroups,
    sessionTimeoutSeconds: channel.sessionTimeoutSeconds,
    sessionWarningLeadSeconds: channel.sessionWarningLeadSeconds,
    sessionWarningText: channel.sessionWarningText,
    debounceWindowMs: channel.debounceWindowMs,
    inboundMode: channel.inboundMode,
    wahaStatus: channel.wahaStatus,
    wahaStatusAt: channel.wahaStatusAt ? channel.wahaStatusAt.toISOString() : null,
    wahaCircuit: toWahaCircuitView(circuit),
    webhookPath: channelWebhookPath(channel.id),
    createdAt: channel.createdAt.toISOString(),
    updatedAt: channel.updatedAt.toISOString(),
  };
}

export function toWahaCircuitView(circuit: WahaCircuitStatus): WahaCircuitView {
  return {
    state: circuit.state,
    changedAt: circuit.changedAt ? circuit.changedAt.toISOString() : null,
    lastFailure: circuit.lastFailure,
  };
}
