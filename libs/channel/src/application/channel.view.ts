import { type ChannelType, type InboundMode } from '../domain/channel-settings';
import { type Channel } from '../domain/channel.aggregate';

/** The path WAHA posts a channel's events to (configure it as the WAHA webhook `url` on our host). */
export function channelWebhookPath(channelId: string): string {
  return `/v1/channels/${channelId}/waha/events`;
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

export function toChannelView(channel: Channel): ChannelView {
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
    webhookPath: channelWebhookPath(channel.id),
    createdAt: channel.createdAt.toISOString(),
    updatedAt: channel.updatedAt.toISOString(),
  };
}
