/** The configured values that may define a new session's timeout; null or absent means "not set". */
export interface ResolveSessionTimeoutPolicyQuery {
  /** `channels.session_timeout_seconds` of the session's channel. */
  channelTimeoutSeconds?: number | null;
  /** `channels.session_warning_lead_seconds` of the session's channel. */
  channelWarningLeadSeconds?: number | null;
  /** `tenants.default_session_timeout_seconds` of the tenant. */
  tenantDefaultTimeoutSeconds?: number | null;
}
