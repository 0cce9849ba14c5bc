import { MAX_SESSION_TIMEOUT_SECONDS, isValidTimeoutSeconds, isValidWarningLeadSeconds } from './session-timeout';

/** Where the timeout of a new session came from. */
export type SessionTimeoutSource = 'channel' | 'tenant' | 'default';

/** The settings that may define a new session's timeout, most specific first. Null or absent means
 *  "not configured at this level". */
export interface SessionTimeoutSettings {
  /** `channels.session_timeout_seconds`. */
  channelTimeoutSeconds?: number | null;
  /** `channels.session_warning_lead_seconds`. */
  channelWarningLeadSeconds?: number | null;
  /** `tenants.default_session_timeout_seconds`. */
  tenantDefaultTimeoutSeconds?: number | null;
  /** The system default (SESSION_DEFAULT_TIMEOUT_SECONDS); must itself be a valid timeout. */
  defaultTimeoutSeconds: number;
  /** The system default warning lead (SESSION_DEFAULT_WARNING_LEAD_SECONDS), if any. */
  defaultWarningLeadSeconds?: number | null;
}

export interface SessionTimeoutPolicy {
  timeoutSeconds: number;
  /** Null when no warning is configured, or the configured lead does not fit inside the timeout. */
  warningLeadSeconds: number | null;
  source: SessionTimeoutSource;
}

/**
 * Resolves the timeout and warning lead of a new session. Precedence: channel, then tenant, then the
 * system default (unlike the original, every level is honoured and the order is fixed).
 * - A level with no value, or with a value that is not a positive whole number of seconds, is skipped.
 * - A value above the maximum (30 days) is capped to it rather than skipped: it still says "long".
 * - The warning lead is the channel's, else the system default's; it is kept only when it is shorter
 *   than the resolved timeout (a warning at or before the last activity would make no sense).
 */
export function resolveSessionTimeoutPolicy(settings: SessionTimeoutSettings): SessionTimeoutPolicy {
  if (!isValidTimeoutSeconds(settings.defaultTimeoutSeconds)) {
    throw new RangeError(
      `defaultTimeoutSeconds must be a valid session timeout, got ${String(settings.defaultTimeoutSeconds)}`,
    );
  }
  const candidates: [SessionTimeoutSource, number | null | undefined][] = [
    ['channel', settings.channelTimeoutSeconds],
    ['tenant', settings.tenantDefaultTimeoutSeconds],
  ];
  let timeoutSeconds = settings.defaultTimeoutSeconds;
  let source: SessionTimeoutSource = 'default';
  for (const [level, value] of candidates) {
    const usable = usableTimeout(value);
    if (usable !== null) {
      timeoutSeconds = usable;
      source = level;
      break;
    }
  }

  const lead = settings.channelWarningLeadSeconds ?? settings.defaultWarningLeadSeconds ?? null;
  const warningLeadSeconds = isValidWarningLeadSeconds(lead, timeoutSeconds) ? lead : null;
  return { timeoutSeconds, warningLeadSeconds, source };
}

function usableTimeout(value: number | null | undefined): number | null {
  if (value === null || value === undefined || !Number.isInteger(value) || value < 1) return null;
  const capped = Math.min(value, MAX_SESSION_TIMEOUT_SECONDS);
  return isValidTimeoutSeconds(capped) ? capped : null;
}
