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
