import { type InboundMode } from '../../domain/channel-settings';

/** Absent fields stay as they are; `null` clears an optional field (the setting then falls back to
 *  its default: tenant timeout, no warning, no debouncing, configured inbound mode, no API key). */
export interface UpdateChannelCommand {
  tenantId: string;
  id: string;
  name?: string;
  wahaBaseUrl?: string;
  wahaSession?: string;
  /** A new WAHA API key (stored encrypted), or null to remove it. */
  wahaApiKey?: string | null;
  allowGroups?: boolean;
  sessionTimeoutSeconds?: number | null;
  sessionWarningLeadSeconds?: number | null;
  sessionWarningText?: string | null;
  debounceWindowMs?: number | null;
  inboundMode?: InboundMode | null;
}
