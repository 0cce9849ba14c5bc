import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { TransactionContext } from '@app/database';
import { Correlation, currentTraceContext, DomainEvent, EventOutbox } from '@app/shared';

/** Writes domain events as outbox rows in the caller's transaction (one multi-row INSERT). An event
 *  id written before (a retried step with a deterministic id) is not written again. */
@Injectable()
export class TypeOrmEventOutbox extends EventOutbox {
  constructor(private readonly tx: TransactionContext) {
    super();
  }

  async append(events: DomainEvent[]): Promise<void> {
    if (events.length === 0) return;
    const correlationId = Correlation.current() ?? null;
    const traceContext = currentTraceContext();
    const traceJson = traceContext ? JSON.stringify(traceContext) : null;
    const params: unknown[] = [];
    const tuples = events.map((e) => {
      params.push(
        e.id,
        e.tenantId,
        e.aggregateType,
        e.aggregateId,
        e.type,
        JSON.stringify(e.data),
        e.occurredAt,
        correlationId,
        traceJson,
      );
      const n = params.length;
      return `($${n - 8}, $${n - 7}, $${n - 6}, $${n - 5}, $${n - 4}, $${n - 3}::jsonb, $${n - 2}, $${n - 1}, $${n}::jsonb)`;
    });
    // A use case raises one tenant's events; several tenants' at once come only from system work.
    const tenants = [...new Set(events.map((e) => e.tenantId))];
    const insert = (m: EntityManager) =>
      m.query(
        `INSERT INTO outbox_events (id, tenant_id, aggregate_type, aggregate_id, type, payload, occurred_at, correlation_id, trace_context)
         VALUES ${tuples.join(', ')}
         ON CONFLICT (id) DO NOTHING`,
        params,
      );
    await (tenants.length === 1 ? this.tx.forTenant(tenants[0], insert) : this.tx.asSystem(insert));
  }
}
