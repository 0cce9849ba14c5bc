export const OUTBOX_STATUSES = ['pending', 'published', 'failed', 'dead'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/** What leaves the system: the event id is every consumer's idempotency key. */
export interface OutboxEnvelope<TData = Record<string, unknown>> {
  id: string;
  type: string;
  occurredAt: string;
  tenantId: string;
  aggregateType: string;
  aggregateId: string;
  correlationId: string | null;
  data: TData;
}

/** An outbox row as the relay and the admin API see it. */
export interface OutboxEventRecord {
  envelope: OutboxEnvelope;
  /** W3C trace context of the operation that raised the event (traceparent, tracestate), when traced. */
  traceContext?: Record<string, string> | null;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  createdAt: Date;
  publishedAt: Date | null;
}

export interface OutboxRetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** After a failed publish: `dead` once the attempts are used up, otherwise `failed` with an
 *  exponential delay (base * 2^(attempts-1), capped) before the next try. */
export function afterFailedAttempt(
  attempts: number,
  policy: OutboxRetryPolicy,
  now: Date,
): { status: 'failed' | 'dead'; nextAttemptAt: Date } {
  if (attempts >= policy.maxAttempts) return { status: 'dead', nextAttemptAt: now };
  const delay = Math.min(policy.baseDelayMs * 2 ** Math.max(0, attempts - 1), policy.maxDelayMs);
  return { status: 'failed', nextAttemptAt: new Date(now.getTime() + delay) };
}
