import { ValidationError } from '@app/shared';

/** Where a contact came from. */
export const CONTACT_SOURCES = ['manual', 'whatsapp', 'import', 'api'] as const;
export type ContactSource = (typeof CONTACT_SOURCES)[number];

export function isContactSource(value: unknown): value is ContactSource {
  return typeof value === 'string' && (CONTACT_SOURCES as readonly string[]).includes(value);
}

export function parseContactSource(value: unknown, field = 'source'): ContactSource {
  if (!isContactSource(value)) throw new ValidationError(field, `must be one of ${CONTACT_SOURCES.join(', ')}`);
  return value;
}
