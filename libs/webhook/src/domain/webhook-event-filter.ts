import { ValidationError } from '@app/shared';

/** Matches every event type. */
export const ALL_EVENT_TYPES = '*';
export const EVENT_TYPES_MAX_COUNT = 50;
export const EVENT_TYPE_MAX_LENGTH = 100;

/** A dotted event type: `session.started`, `message.group.completed`. */
const EVENT_TYPE = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
/** A prefix pattern: `session.*` (every type starting with `session.`), `message.group.*`. */
const PREFIX_PATTERN = /^([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*)\.\*$/;

/**
 * Whether one filter entry matches an event type: `*` matches everything, `prefix.*` every type
 * that starts with `prefix.` (so `session.*` matches `session.started` but neither `session` nor
 * `sessionx.started`), anything else only the identical type.
 */
export function eventTypeMatches(pattern: string, type: string): boolean {
  if (pattern === ALL_EVENT_TYPES) return true;
  if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}

/** Whether any entry of a subscription's filter matches the event type. */
export function eventFilterMatches(filter: readonly string[], type: string): boolean {
  return filter.some((pattern) => eventTypeMatches(pattern, type));
}

/**
 * A subscription's event filter: 1 to 50 entries, each `*`, an event type of the catalogue, or a
 * prefix pattern (`session.*`) matching at least one type of the catalogue, so that typos are
 * refused instead of silently receiving nothing. Duplicates are dropped; a filter holding `*` is
 * stored as `['*']`, since it matches everything anyway.
 */
export function parseEventTypes(value: unknown, knownTypes: readonly string[], field = 'eventTypes'): string[] {
  if (!Array.isArray(value)) throw new ValidationError(field, 'must be an array of event types');
  if (value.length === 0)
    throw new ValidationError(field, `must name at least one event type, or "${ALL_EVENT_TYPES}" for all`);
  if (value.length > EVENT_TYPES_MAX_COUNT)
    throw new ValidationError(field, `must have at most ${EVENT_TYPES_MAX_COUNT} entries`);
  const result: string[] = [];
  for (const entry of value) {
    if (typeof entry !== 'string') throw new ValidationError(field, 'must contain only strings');
    const pattern = entry.trim();
    if (pattern.length === 0 || pattern.length > EVENT_TYPE_MAX_LENGTH) {
      throw new ValidationError(field, `entries must be 1 to ${EVENT_TYPE_MAX_LENGTH} characters`);
    }
    if (pattern === ALL_EVENT_TYPES) {
      // Matches everything; the other entries are still checked so that a typo is reported.
    } else if (PREFIX_PATTERN.test(pattern)) {
      if (!knownTypes.some((type) => eventTypeMatches(pattern, type))) {
        throw new ValidationError(field, `"${pattern}" matches no known event type (see GET /v1/webhook-event-types)`);
      }
    } else if (EVENT_TYPE.test(pattern)) {
      if (!knownTypes.includes(pattern))
        throw new ValidationError(field, `"${pattern}" is not a known event type (see GET /v1/webhook-event-types)`);
    } else {
      throw new ValidationError(
        field,
        `"${pattern}" is not an event type ("session.started"), a prefix pattern ("session.*") or "*"`,
      );
    }
    if (!result.includes(pattern)) result.push(pattern);
  }
  return result.includes(ALL_EVENT_TYPES) ? [ALL_EVENT_TYPES] : result;
}
