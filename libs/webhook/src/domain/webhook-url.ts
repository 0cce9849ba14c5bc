import { ValidationError } from '@app/shared';

export const WEBHOOK_URL_MAX_LENGTH = 2048;

// eslint-disable-next-line no-control-regex
const CONTROL_OR_SPACE = /[\u0000-\u0020\u007f]/;

/** A syntactically valid endpoint URL, split into what the guard and the sender need. */
export interface WebhookEndpoint {
  /** Normalised (WHATWG) form, as stored: `https://hooks.example.com/crm?key=1`. */
  href: string;
  protocol: 'http:' | 'https:';
  /** Host name or IP literal, without the brackets of an IPv6 literal. */
  host: string;
}

/**
 * An absolute http(s) URL with a host and no credentials or fragment, up to 2048 characters. A
 * query string is allowed (some receivers authenticate with one). Whether the scheme and the host's
 * addresses are acceptable is decided elsewhere (WebhookUrlGuard), since that depends on
 * configuration and DNS. IPv4 literals in other notations (`0x7f.1`, `2130706433`) are normalised
 * to dotted form here, so they are checked as the address they are.
 */
export function parseWebhookUrl(value: unknown, field = 'url'): WebhookEndpoint {
  if (typeof value !== 'string') throw new ValidationError(field, 'must be a string');
  const trimmed = value.trim();
  if (trimmed.length === 0) throw new ValidationError(field, 'must not be empty');
  if (trimmed.length > WEBHOOK_URL_MAX_LENGTH)
    throw new ValidationError(field, `must be at most ${WEBHOOK_URL_MAX_LENGTH} characters`);
  if (CONTROL_OR_SPACE.test(trimmed))
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
  if (url.username || url.password) throw new ValidationError(field, 'must not contain credentials');
  if (url.hash || trimmed.includes('#')) throw new ValidationError(field, 'must not contain a fragment');
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (url.href.length > WEBHOOK_URL_MAX_LENGTH)
    throw new ValidationError(field, `must be at most ${WEBHOOK_URL_MAX_LENGTH} characters`);
  return { href: url.href, protocol: url.protocol, host };
}
