import { ValidationError } from '@app/shared';
import { type MessageDirection } from './message-direction';
import { type MessageStatus, type OutboundAckStatus } from './message-status';

/** WAHA's ack values (`ack` / `ackName` of a message and of `message.ack` events). */
export const WAHA_ACK = {
  ERROR: -1,
  PENDING: 0,
  SERVER: 1,
  DEVICE: 2,
  READ: 3,
  PLAYED: 4,
} as const;
export type WahaAckName = keyof typeof WAHA_ACK;
export type WahaAck = (typeof WAHA_ACK)[WahaAckName];

const ACK_STATUS: Record<WahaAck, OutboundAckStatus> = {
  [-1]: 'failed',
  0: 'pending',
  1: 'sent',
  2: 'delivered',
  3: 'read',
  4: 'played',
};

/**
 * How far an outbound message has come. Acks only move a message forward along this order; `failed`
 * ranks above `pending` (an error beats "not yet sent") and below `sent` (proof that the message
 * reached WhatsApp's server beats an earlier error report).
 */
const PROGRESS: Record<OutboundAckStatus, number> = {
  pending: 0,
  failed: 1,
  sent: 2,
  delivered: 3,
  read: 4,
  played: 5,
};

export function isWahaAck(value: unknown): value is WahaAck {
  return typeof value === 'number' && Number.isInteger(value) && value >= -1 && value <= 4;
}

/** Throws a ValidationError naming `field` unless `value` is one of WAHA's ack numbers (-1 to 4). */
export function parseWahaAck(value: unknown, field = 'ack'): WahaAck {
  if (!isWahaAck(value))
    throw new ValidationError(field, 'must be a WAHA ack: an integer from -1 (ERROR) to 4 (PLAYED)');
  return value;
}

/** The ack number of a WAHA `ackName` (`READ` -> 3); null for `UNKNOWN` or anything else. */
export function wahaAckFromName(name: unknown): WahaAck | null {
  if (typeof name !== 'string') return null;
  const key = name.trim().toUpperCase();
  return Object.prototype.hasOwnProperty.call(WAHA_ACK, key) ? WAHA_ACK[key as WahaAckName] : null;
}

/** The status an outbound message has once WAHA reports `ack`: -1 failed, 0 pending, 1 sent,
 *  2 delivered, 3 read, 4 played. */
export function statusForAck(ack: WahaAck): OutboundAckStatus {
  return ACK_STATUS[ack];
}

/** Status of a message when it is first stored: inbound messages are `received`; outbound ones
 *  start at the ack they arrive with, or `sent` when WAHA reports none (WAHA only reports own
 *  messages that WhatsApp has accepted). */
export function initialMessageStatus(direction: MessageDirection, ack: WahaAck | null): MessageStatus {
  if (direction === 'inbound') return 'received';
  return ack === null ? 'sent' : statusForAck(ack);
}

/** Of two acks for the same message, the one that carries it further (equal acks: the first). */
export function strongerAck(a: WahaAck, b: WahaAck): WahaAck {
  return PROGRESS[statusForAck(b)] > PROGRESS[statusForAck(a)] ? b : a;
}

export interface AckTarget {
  direction: MessageDirection;
  status: MessageStatus;
}

export type AckIgnoredReason = 'inbound' | 'deleted' | 'not_forward';

export type AckDecision =
  { apply: true; status: OutboundAckStatus; ackLevel: WahaAck } | { apply: false; reason: AckIgnoredReason };

/**
 * Whether an ack moves a message on. Only outbound, not revoked messages follow acks, and only
 * forward: an ack that is older than (or equal to) what was already seen is ignored, so acks may
 * arrive in any order and duplicates change nothing. `ERROR` applies only while the message is
 * still `pending`.
 */
export function decideAck(target: AckTarget, ack: WahaAck): AckDecision {
  if (target.direction === 'inbound') return { apply: false, reason: 'inbound' };
  if (target.status === 'deleted') return { apply: false, reason: 'deleted' };
  const next = statusForAck(ack);
  const current = progressOf(target.status);
  if (PROGRESS[next] <= current) return { apply: false, reason: 'not_forward' };
  return { apply: true, status: next, ackLevel: ack };
}

function progressOf(status: MessageStatus): number {
  // `received` and `deleted` are not on the outbound path; decideAck handles them before this.
  return Object.prototype.hasOwnProperty.call(PROGRESS, status)
    ? PROGRESS[status as OutboundAckStatus]
    : Number.POSITIVE_INFINITY;
}
