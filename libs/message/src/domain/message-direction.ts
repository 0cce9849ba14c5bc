import { ValidationError } from '@app/shared';

/** Who sent a message: the contact (`inbound`) or this WhatsApp account (`outbound`, WAHA `fromMe`). */
export const MESSAGE_DIRECTIONS = ['inbound', 'outbound'] as const;
export type MessageDirection = (typeof MESSAGE_DIRECTIONS)[number];

export function isMessageDirection(value: unknown): value is MessageDirection {
  return typeof value === 'string' && (MESSAGE_DIRECTIONS as readonly string[]).includes(value);
}

export function parseMessageDirection(value: unknown, field = 'direction'): MessageDirection {
  if (!isMessageDirection(value)) throw new ValidationError(field, `must be one of ${MESSAGE_DIRECTIONS.join(', ')}`);
  return value;
}
