import { type ChannelType, type InboundMode } from '../../domain/channel-settings';

export interface CreateChannelCommand {
  tenantId: string;
  /** Unique in the tenant, ignoring case. */
  name: string;
  /** Defaults to `waha`. */
  type?: ChannelType;
  /** `https://waha.example.com` (a path prefix is allowed; no credentials, query or fragment). */
  wahaBaseUrl: string;
  /** WAHA session name; defaults to `default`. */
  wahaSession?: string | null;
  /** Sent to WAHA as `X-Api-Key`; stored encrypted. */
  wahaApiKey?: string | null;
  /** HMAC secret WAHA signs its webhooks with; 32 random bytes (hex) are generated when absent. */
  webhookSecret?: string | null;
  allowGroups?: boolean;
  sessionTimeoutSeconds?: number | null;
  sessionWarningLeadSeconds?: number | null;
  sessionWarningText?: string | null;
  debounceWindowMs?: number | null;
  inboundMode?: InboundMode | null;
}
