import { ValidationError } from '@app/shared';

/**
 * First-touch attribution of a contact: what brought the person to the tenant the first time, e.g.
 * the referral of a click-to-WhatsApp ad (`{ sourceType: 'ad', sourceId, sourceUrl, headline, ... }`).
 * A JSON object; its shape belongs to whoever records it.
 */
export type ContactFirstTouch = Record<string, unknown>;

/** Largest accepted first touch, measured as UTF-8 bytes of its JSON text (16 KiB). */
export const CONTACT_FIRST_TOUCH_MAX_BYTES = 16 * 1024;

/** `\u0000` (jsonb cannot hold it) or a lone UTF-16 surrogate (jsonb rejects it) as JSON.stringify
 *  escapes them, unless the backslash itself is escaped (an odd run of backslashes). */
const UNSTORABLE_ESCAPE = /(?:^|[^\\])(?:\\\\)*\\u(?:0000|d[89a-f][0-9a-f]{2})/i;

/**
 * Checks and normalises first-touch data: it must be a JSON object of at most 16 KiB as JSON text,
 * storable in Postgres jsonb (no NUL characters, no lone surrogates). Returns its JSON form: a deep
 * copy with undefined values dropped and dates as ISO strings. Throws ValidationError('firstTouch').
 */
export function parseContactFirstTouch(data: unknown, field = 'firstTouch'): ContactFirstTouch {
  if (!isJsonObject(data)) throw new ValidationError(field, 'must be a JSON object');
  let json: string | undefined;
  try {
    json = JSON.stringify(data);
  } catch {
    throw new ValidationError(field, 'must be serialisable as JSON');
  }
  if (json === undefined) throw new ValidationError(field, 'must be a JSON object');
  if (new TextEncoder().encode(json).length > CONTACT_FIRST_TOUCH_MAX_BYTES) {
    throw new ValidationError(field, `must be at most ${CONTACT_FIRST_TOUCH_MAX_BYTES} bytes (16 KiB) as JSON`);
  }
  if (UNSTORABLE_ESCAPE.test(json))
    throw new ValidationError(field, 'must not contain NUL characters or unpaired surrogates');
  const parsed: unknown = JSON.parse(json);
  // A custom toJSON can turn an object into an array or a primitive.
  if (!isJsonObject(parsed)) throw new ValidationError(field, 'must be a JSON object');
  return parsed;
}

function isJsonObject(value: unknown): value is ContactFirstTouch {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
