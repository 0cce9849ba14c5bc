import { ValidationError } from '@app/shared';

/** Kinds of channel. Only WAHA (WhatsApp HTTP API) exists today. */
export const CHANNEL_TYPES = ['waha'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/** How inbound messages of a channel are processed (DESIGN §5): the Temporal saga or one database
 *  transaction. A channel without a mode uses the configured default. */
export const INBOUND_MODES = ['saga', 'direct'] as const;
export type InboundMode = (typeof INBOUND_MODES)[number];

/** WAHA session statuses known at WAHA 2026.7.1 (`WAHASessionStatus`). Newer WAHA versions may add
 *  statuses, so any well-formed upper-case token is accepted and stored as reported. */
export const KNOWN_WAHA_SESSION_STATUSES = [
  'STOPPED',
  'STARTING',
  'SCAN_QR_CODE',
  'PASSKEY_REQUIRED',
  'PASSKEY_CONFIRMATION_REQUIRED',
  'WORKING',
  'FAILED',
] as const;

export const DEFAULT_WAHA_SESSION = 'default';

export const CHANNEL_NAME_MAX_LENGTH = 100;
export const WAHA_BASE_URL_MAX_LENGTH = 2048;
export const WAHA_SESSION_MAX_LENGTH = 64;
export const SESSION_TIMEOUT_MIN_SECONDS = 60;
export const SESSION_TIMEOUT_MAX_SECONDS = 604_800;
export const SESSION_WARNING_LEAD_MIN_SECONDS = 1;
export const SESSION_WARNING_TEXT_MAX_LENGTH = 4096;
export const DEBOUNCE_WINDOW_MIN_MS = 100;
export const DEBOUNCE_WINDOW_MAX_MS = 600_000;

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
/** Control characters except tab, line feed and carriage return, which a message text may contain. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS_EXCEPT_LINE_BREAKS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const WAHA_SESSION_PATTERN = /^[A-Za-z0-9_-]+$/;
const WAHA_STATUS_PATTERN = /^[A-Z][A-Z0-9_]{0,63}$/;

export function parseChannelType(value: unknown, field = 'type'): ChannelType {
  if (typeof value !== 'string' || !(CHANNEL_TYPES as readonly string[]).includes(value)) {
    throw new ValidationError(field, `must be one of ${CHANNEL_TYPES.join(', ')}`);
  }
  return value as ChannelType;
}

export function isInboundMode(value: unknown): value is InboundMode {
  return typeof value === 'string' && (INBOUND_MODES as readonly string[]).includes(value);
}

/** `null` means "use the configured default". */
export function parseInboundMode(value: unknown, field = 'inboundMode'): InboundMode | null {
  if (value === null) return null;
  if (!isInboundMode(value)) throw new ValidationError(field, `must be one of ${INBOUND_MODES.join(', ')} or null`);
  return value;
}

/** Trimmed; 1 to 100 characters without control characters. */
export function parseChannelName(value: unknown, field = 'name'): string {
  if (typeof value !== 'string') throw new ValidationError(field, 'must be a string');
  const trimmed = value.trim();
  if (trimmed.length === 0) throw new ValidationError(field, 'must not be empty');
  if (trimmed.length > CHANNEL_NAME_MAX_LENGTH)
    throw new ValidationError(field, `must be at most ${CHANNEL_NAME_MAX_LENGTH} characters`);
  if (CONTROL_CHARACTERS.test(trimmed)) throw new ValidationError(field, 'must not contain control characters');
  return trimmed;
}

/**
 * The base URL of a WAHA server: absolute http(s), optionally with a path prefix (WAHA behind a
 * reverse proxy), without credentials, query or fragment (the API key travels in its own, encrypted
 * field). Normalised without a trailing slash: `https://waha.example.com/waha`.
 */
export function parseWahaBaseUrl(value: unknown, field = 'wahaBaseUrl'): string {
  if (typeof value !== 'string') throw new ValidationError(field, 'must be a string');
  const trimmed = value.trim();
  if (trimmed.length === 0) throw new ValidationError(field, 'must not be empty');
  if (trimmed.length > WAHA_BASE_URL_MAX_LENGTH)
    throw new ValidationError(field, `must be at most ${WAHA_BASE_URL_MAX_LENGTH} characters`);
  if (CONTROL_CHARACTERS.test(trimmed) || /\s/.test(trimmed))
    throw new ValidationError(field, 'must not contain whitespace or control characters');
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new ValidationError(field, 'must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ValidationError(field, 'must be an absolute http(s) URL');
  if (!url.hostname) throw new ValidationError(field, 'must name a host');
  if (url.username || url.password)
    throw new ValidationError(field, 'must not contain credentials (set wahaApiKey instead)');
  if (url.search || url.hash || trimmed.includes('?') || trimmed.includes('#')) {
    throw new ValidationError(field, 'must not contain a query or fragment');
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** A WAHA session name (`default` unless the WAHA server runs several accounts). */
export function parseWahaSession(value: unknown, field = 'wahaSession'): string {
  if (typeof value !== 'string') throw new ValidationError(field, 'must be a string');
  const trimmed = value.trim();
  if (trimmed.length === 0) throw new ValidationError(field, 'must not be empty');
  if (trimmed.length > WAHA_SESSION_MAX_LENGTH)
    throw new ValidationError(field, `must be at most ${WAHA_SESSION_MAX_LENGTH} characters`);
  if (!WAHA_SESSION_PATTERN.test(trimmed))
    throw new ValidationError(field, 'may contain only letters, digits, "_" and "-"');
  return trimmed;
}

export function parseBoolean(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw new ValidationError(field, 'must be true or false');
  return value;
}

/** An optional integer setting: `null` means "not set". */
export function parseOptionalInteger(
  value: unknown,
  field: string,
  min: number,
  max: number,
  unit: string,
): number | null {
  if (value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(field, `must be an integer from ${min} to ${max} (${unit}) or null`);
  }
  return value;
}

/** The text sent to the contact before an idle session closes; blank means none. */
export function parseWarningText(value: unknown, field = 'sessionWarningText'): string | null {
  if (value === null) return null;
  if (typeof value !== 'string') throw new ValidationError(field, 'must be a string or null');
  const trimmed = value.trim();
  if (trimmed.length === 0) return null;
  if (trimmed.length > SESSION_WARNING_TEXT_MAX_LENGTH) {
    throw new ValidationError(field, `must be at most ${SESSION_WARNING_TEXT_MAX_LENGTH} characters`);
  }
  if (CONTROL_CHARACTERS_EXCEPT_LINE_BREAKS.test(trimmed))
    throw new ValidationError(field, 'must not contain control characters');
  return trimmed;
}

/** A status as WAHA reports it in `session.status` or `GET /api/sessions/{session}`. */
export function parseWahaSessionStatus(value: unknown, field = 'status'): string {
  if (typeof value !== 'string') throw new ValidationError(field, 'must be a string');
  const trimmed = value.trim();
  if (!WAHA_STATUS_PATTERN.test(trimmed)) {
    throw new ValidationError(field, `must be a WAHA session status such as ${KNOWN_WAHA_SESSION_STATUSES.join(', ')}`);
  }
  return trimmed;
}
