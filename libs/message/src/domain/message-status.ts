import { ValidationError } from '@app/shared';

/**
 * Where a message stands. Inbound messages are `received`; outbound ones follow WhatsApp's acks
 * (`pending` -> `sent` -> `delivered` -> `read` -> `played`, or `failed`); a revoked message is
 * `deleted` whatever its direction. Same list as the `messages.status` check constraint.
 */
export const MESSAGE_STATUSES = [
  'received',
  'pending',
  'sent',
  'delivered',
  'read',
  'played',
  'failed',
  'deleted',
] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** The statuses an outbound message moves through by ack. */
export type OutboundAckStatus = Extract<MessageStatus, 'failed' | 'pending' | 'sent' | 'delivered' | 'read' | 'played'>;

export function isMessageStatus(value: unknown): value is MessageStatus {
  return typeof value === 'string' && (MESSAGE_STATUSES as readonly string[]).includes(value);
}

export function parseMessageStatus(value: unknown, field = 'status'): MessageStatus {
  if (!isMessageStatus(value)) throw new ValidationError(field, `must be one of ${MESSAGE_STATUSES.join(', ')}`);
  return value;
}
