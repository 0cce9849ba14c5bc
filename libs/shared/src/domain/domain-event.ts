import { createHash } from 'node:crypto';

/** A fact that happened in a bounded context. Serialised into the outbox envelope
 *  `{ id, type, occurredAt, tenantId, aggregateType, aggregateId, correlationId, data }`. */
export interface DomainEvent<TData extends object = Record<string, unknown>> {
  readonly id: string;
  /** Dotted, past tense: `contact.created`. */
  readonly type: string;
  readonly occurredAt: Date;
  readonly tenantId: string;
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly data: TData;
}

export function newEventId(): string {
  return globalThis.crypto.randomUUID();
}

/** A UUID derived from a stable key (SHA-1 name-based, RFC 4122 version 5 layout), for events that
 *  a retried step must write exactly once. */
export function deterministicEventId(key: string): string {
  const hash = createHash('sha1').update(`crm-event:${key}`).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
