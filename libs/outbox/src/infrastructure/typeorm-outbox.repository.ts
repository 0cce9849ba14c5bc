import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { TransactionContext, exactTimestampSql } from '@app/database';
import { KeysetPosition, Positioned } from '@app/shared';
import { OutboxEventRecord, OutboxStatus } from '../domain/outbox-event';
import { OutboxClaim, OutboxCounts, OutboxRepository } from '../application/outbox.repository.port';

interface OutboxRow {
  id: string;
  tenant_id: string;
  aggregate_type: string;
  aggregate_id: string;
  type: string;
  payload: Record<string, unknown>;
  occurred_at: Date;
  correlation_id: string | null;
  trace_context: Record<string, string> | null;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  created_at: Date;
  published_at: Date | null;
}

const COLUMNS = `id, tenant_id, aggregate_type, aggregate_id, type, payload, occurred_at, correlation_id, trace_context,
  status, attempts, next_attempt_at, last_error, created_at, published_at`;

function toRecord(row: OutboxRow): OutboxEventRecord {
  return {
    envelope: {
      id: row.id,
      type: row.type,
      occurredAt: row.occurred_at.toISOString(),
      tenantId: row.tenant_id,
      aggregateType: row.aggregate_type,
      aggregateId: row.aggregate_id,
      correlationId: row.correlation_id,
      data: row.payload,
    },
    traceContext: row.trace_context,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    createdAt: row.created_at,
    publishedAt: row.published_at,
  };
}

@Injectable()
export class TypeOrmOutboxRepository extends OutboxRepository {
  constructor(private readonly tx: TransactionContext) {
    super();
  }

  async claimDue(
    status: 'pending' | 'failed',
    limit: number,
    leaseMs: number,
    correlationId?: string,
  ): Promise<OutboxClaim> {
    const token = randomUUID();
    const params: unknown[] = [status, limit, leaseMs, token];
    if (correlationId !== undefined) params.push(correlationId);
    // Claims, marks and cleanup are the relay's and the sweep's: every tenant's events.
    const rows: OutboxRow[] = await this.tx.asSystem((m) =>
      m.query(
        `UPDATE outbox_events SET locked_until = now() + ($3 * interval '1 millisecond'), claim_token = $4
        WHERE id IN (
          SELECT id FROM outbox_events
           WHERE status = $1 AND next_attempt_at <= now() AND (locked_until IS NULL OR locked_until < now())
             ${correlationId !== undefined ? 'AND correlation_id = $5' : ''}
           ORDER BY next_attempt_at, created_at
           LIMIT $2
           FOR UPDATE SKIP LOCKED)
      RETURNING ${COLUMNS}`,
        params,
      ),
    );
    // The pg driver answers UPDATE ... RETURNING with [rows, count].
    const claimed = Array.isArray(rows[0]) ? (rows[0] as unknown as OutboxRow[]) : rows;
    return { token, events: claimed.map(toRecord).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()) };
  }

  // The token alone decides, not the lease's expiry: a relay whose lease ran out while nobody claimed
  // the event again still holds the only outcome there is (refusing it would publish the event twice).
  async markPublished(ids: string[], at: Date, claimToken: string): Promise<number> {
    const result: [unknown[], number] = await this.tx.asSystem((m) =>
      m.query(
        `UPDATE outbox_events SET status = 'published', published_at = $2, locked_until = NULL, claim_token = NULL, last_error = NULL
        WHERE id = ANY($1::uuid[]) AND claim_token = $3`,
        [ids, at, claimToken],
      ),
    );
    return result[1];
  }

  async markFailed(
    id: string,
    claimToken: string,
    u: { status: 'failed' | 'dead'; attempts: number; nextAttemptAt: Date; error: string },
  ): Promise<boolean> {
    const result: [unknown[], number] = await this.tx.asSystem((m) =>
      m.query(
        `UPDATE outbox_events SET status = $2, attempts = $3, next_attempt_at = $4, last_error = $5, locked_until = NULL, claim_token = NULL
        WHERE id = $1 AND claim_token = $6`,
        [id, u.status, u.attempts, u.nextAttemptAt, u.error, claimToken],
      ),
    );
    return result[1] === 1;
  }

  async deletePublishedBefore(before: Date, limit: number): Promise<number> {
    // Webhook deliveries read their event from this table when they run (held ones maybe hours later).
    const result: [unknown[], number] = await this.tx.asSystem((m) =>
      m.query(
        `DELETE FROM outbox_events WHERE id IN (
         SELECT e.id FROM outbox_events e
          WHERE e.status = 'published' AND e.published_at < $1
            AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id AND d.status IN ('held', 'pending', 'failed'))
          LIMIT $2 FOR UPDATE OF e SKIP LOCKED)`,
        [before, limit],
      ),
    );
    return result[1];
  }

  async counts(tenantId?: string): Promise<OutboxCounts> {
    const count = (m: EntityManager): Promise<{ status: OutboxStatus; n: string; oldest: Date | null }[]> =>
      m.query(
        `SELECT status, count(*) AS n, min(created_at) FILTER (WHERE status = 'pending') AS oldest
           FROM outbox_events ${tenantId ? 'WHERE tenant_id = $1' : ''}
          GROUP BY status`,
        tenantId ? [tenantId] : [],
      );
    // Without a tenant: the processor's and the metrics' view of the whole outbox.
    const rows = tenantId ? await this.tx.forTenant(tenantId, count) : await this.tx.asSystem(count);
    const counts: OutboxCounts = { pending: 0, published: 0, failed: 0, dead: 0, oldestPendingAgeMs: null };
    for (const row of rows) {
      counts[row.status] = Number(row.n);
      if (row.oldest) counts.oldestPendingAgeMs = Math.max(0, Date.now() - row.oldest.getTime());
    }
    return counts;
  }

  async list(
    tenantId: string,
    status: OutboxStatus | undefined,
    page: { limit: number; after?: KeysetPosition },
  ): Promise<Positioned<OutboxEventRecord>[]> {
    const params: unknown[] = [tenantId, page.limit];
    let where = 'tenant_id = $1';
    if (status) {
      params.push(status);
      where += ` AND status = $${params.length}`;
    }
    if (page.after) {
      params.push(page.after.createdAt, page.after.id);
      // created_at is clock_timestamp(): microseconds apart within one millisecond, compared exactly.
      where += ` AND (created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`;
    }
    const rows: (OutboxRow & { keyset_created_at: string })[] = await this.tx.forTenant(tenantId, (m) =>
      m.query(
        `SELECT ${COLUMNS}, ${exactTimestampSql('created_at')} AS keyset_created_at
           FROM outbox_events WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT $2`,
        params,
      ),
    );
    return rows.map((row) => ({ item: toRecord(row), position: { createdAt: row.keyset_created_at, id: row.id } }));
  }

  async findById(tenantId: string, id: string): Promise<OutboxEventRecord | null> {
    const rows: OutboxRow[] = await this.tx.forTenant(tenantId, (m) =>
      m.query(`SELECT ${COLUMNS} FROM outbox_events WHERE tenant_id = $1 AND id = $2`, [tenantId, id]),
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async requeue(tenantId: string, id: string): Promise<void> {
    // Its own transaction, so the NOTIFY goes out when this commits, whatever the caller does.
    await this.tx.detached(() =>
      this.tx.forTenant(tenantId, async (manager) => {
        await manager.query(
          `UPDATE outbox_events SET status = 'pending', attempts = 0, next_attempt_at = now(), locked_until = NULL, claim_token = NULL
          WHERE tenant_id = $1 AND id = $2 AND status IN ('failed', 'dead')`,
          [tenantId, id],
        );
        await manager.query(`SELECT pg_notify('outbox_events', '')`);
      }),
    );
  }
}
