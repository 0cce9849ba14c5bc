import { Injectable } from '@nestjs/common';
import { In, type SelectQueryBuilder } from 'typeorm';
import { TransactionContext, keysetPage } from '@app/database';
import { isUuid, type Positioned } from '@app/shared';
import {
  type WebhookDelivery,
  type WebhookDeliveryAttempt,
  type WebhookDeliveryStatus,
} from '../../domain/webhook-delivery';
import {
  type NewWebhookDelivery,
  type StoredWebhookDeliveryRef,
  type SubscriptionWithHeldDeliveries,
  type WebhookDeliveryListCriteria,
  WebhookDeliveryRepository,
  type WebhookDeliveryWithAttempts,
} from '../../domain/webhook-delivery.repository.port';
import { WebhookDeliveryNotFoundError } from '../../domain/webhook.errors';
import { WebhookDeliveryAttemptOrmEntity } from './webhook-delivery-attempt.orm-entity';
import { WebhookDeliveryOrmEntity } from './webhook-delivery.orm-entity';
import { WebhookMapper } from './webhook.mapper';

@Injectable()
export class TypeOrmWebhookDeliveryRepository extends WebhookDeliveryRepository {
  constructor(private readonly tx: TransactionContext) {
    super();
  }

  async insertIfAbsent(deliveries: NewWebhookDelivery[]): Promise<Map<string, StoredWebhookDeliveryRef>> {
    const ids = new Map<string, StoredWebhookDeliveryRef>();
    if (deliveries.length === 0) return ids;
    const params: unknown[] = [];
    const tuples = deliveries.map((d) => {
      params.push(
        globalThis.crypto.randomUUID(),
        d.tenantId,
        d.subscriptionId,
        d.eventId,
        d.eventType,
        d.status,
        d.createdAt,
      );
      const n = params.length;
      return `($${n - 6}::uuid, $${n - 5}::uuid, $${n - 4}::uuid, $${n - 3}::uuid, $${n - 2}, $${n - 1}, $${n}::timestamptz, $${n}::timestamptz)`;
    });
    type Row = { id: string; subscription_id: string; status: WebhookDeliveryStatus; attempts: number };
    // One event's deliveries: one tenant.
    const tenantId = deliveries[0]!.tenantId;
    const inserted: Row[] = await this.tx.forTenant(tenantId, (m) =>
      m.query(
        `INSERT INTO webhook_deliveries (id, tenant_id, subscription_id, event_id, event_type, status, created_at, updated_at)
       VALUES ${tuples.join(', ')}
       ON CONFLICT (subscription_id, event_id) DO NOTHING
       RETURNING id, subscription_id, status, attempts`,
        params,
      ),
    );
    for (const row of inserted)
      ids.set(row.subscription_id, { id: row.id, status: row.status, attempts: row.attempts, created: true });

    // Rows that existed (or that a concurrent plan of the same event just committed): read them in
    // a separate statement, whose snapshot sees what the conflicting insert waited for.
    const missing = deliveries.filter((d) => !ids.has(d.subscriptionId));
    if (missing.length > 0) {
      const existing: Row[] = await this.tx.forTenant(tenantId, (m) =>
        m.query(
          `SELECT id, subscription_id, status, attempts FROM webhook_deliveries
            WHERE tenant_id = $1 AND event_id = $2 AND subscription_id = ANY($3::uuid[])`,
          [missing[0]!.tenantId, missing[0]!.eventId, missing.map((d) => d.subscriptionId)],
        ),
      );
      for (const row of existing)
        ids.set(row.subscription_id, { id: row.id, status: row.status, attempts: row.attempts, created: false });
    }
    return ids;
  }

  async listSubscriptionsWithHeld(limit: number): Promise<SubscriptionWithHeldDeliveries[]> {
    // One index probe per subscription that holds anything (webhook_deliveries_held_idx), not a scan
    // of the held rows: there may be many per subscription.
    // The held-delivery release sweep: every tenant's subscriptions.
    const rows: { tenant_id: string; subscription_id: string }[] = await this.tx.asSystem((m) =>
      m.query(
        `SELECT s.tenant_id, s.id AS subscription_id
         FROM webhook_subscriptions s
         CROSS JOIN LATERAL (
           SELECT d.created_at FROM webhook_deliveries d
            WHERE d.subscription_id = s.id AND d.status = 'held'
            ORDER BY d.created_at, d.id LIMIT 1
         ) oldest
        WHERE s.active AND s.deleted_at IS NULL
        ORDER BY oldest.created_at
        LIMIT $1`,
        [limit],
      ),
    );
    return rows.map((row) => ({ tenantId: row.tenant_id, subscriptionId: row.subscription_id }));
  }

  async lockOldestHeld(tenantId: string, subscriptionId: string, limit: number): Promise<WebhookDelivery[]> {
    if (!this.tx.inTransaction()) throw new Error('lockOldestHeld must run inside a unit of work');
    if (!isUuid(tenantId) || !isUuid(subscriptionId)) return [];
    const rows = await this.ofTenant(tenantId, (q) =>
      q
        .andWhere('d.subscription_id = :subscriptionId', { subscriptionId })
        .andWhere(`d.status = 'held'`)
        .orderBy('d.createdAt', 'ASC')
        .addOrderBy('d.id', 'ASC')
        .limit(limit)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany(),
    );
    return rows.map((row) => WebhookMapper.deliveryToDomain(row));
  }

  async hasRunUnderWay(tenantId: string, subscriptionId: string, since: Date): Promise<boolean> {
    if (!isUuid(tenantId) || !isUuid(subscriptionId)) return false;
    const rows: unknown[] = await this.tx.forTenant(tenantId, (m) =>
      m.query(
        `SELECT 1 FROM webhook_deliveries
        WHERE subscription_id = $2 AND tenant_id = $1 AND status IN ('pending', 'failed')
          AND (updated_at >= $3 OR next_attempt_at >= $3)
        LIMIT 1`,
        [tenantId, subscriptionId, since],
      ),
    );
    return rows.length > 0;
  }

  async findByIdForUpdate(tenantId: string, id: string): Promise<WebhookDelivery | null> {
    if (!this.tx.inTransaction()) throw new Error('findByIdForUpdate must run inside a unit of work');
    if (!isUuid(tenantId) || !isUuid(id)) return null;
    const row = await this.ofTenant(tenantId, (q) =>
      q.andWhere('d.id = :id', { id }).setLock('pessimistic_write').getOne(),
    );
    return row ? WebhookMapper.deliveryToDomain(row) : null;
  }

  async update(delivery: WebhookDelivery): Promise<void> {
    const p = delivery.toProps();
    const result = await this.tx.forTenant(p.tenantId, (m) =>
      m
        .createQueryBuilder()
        .update(WebhookDeliveryOrmEntity)
        .set({
          status: p.status,
          attempts: p.attempts,
          lastStatusCode: p.lastStatusCode,
          lastError: p.lastError,
          nextAttemptAt: p.nextAttemptAt,
          deliveredAt: p.deliveredAt,
          updatedAt: p.updatedAt,
        })
        .where('tenant_id = :tenantId AND id = :id', { tenantId: p.tenantId, id: p.id })
        .execute(),
    );
    if (!result.affected) throw new WebhookDeliveryNotFoundError(p.id);
  }

  async appendAttempt(deliveryId: string, attempt: Omit<WebhookDeliveryAttempt, 'attempt'>): Promise<number> {
    const rows: { attempt: number }[] = await this.tx.manager().query(
      `INSERT INTO webhook_delivery_attempts (delivery_id, attempt, started_at, duration_ms, status_code, error, outcome)
       SELECT $1::uuid, COALESCE(MAX(attempt), 0) + 1, $2, $3, $4, $5, $6
         FROM webhook_delivery_attempts WHERE delivery_id = $1::uuid
       RETURNING attempt`,
      [deliveryId, attempt.startedAt, attempt.durationMs, attempt.statusCode, attempt.error, attempt.outcome],
    );
    return rows[0]!.attempt;
  }

  async listForSubscription(
    tenantId: string,
    subscriptionId: string,
    criteria: WebhookDeliveryListCriteria,
  ): Promise<Positioned<WebhookDeliveryWithAttempts>[]> {
    if (!isUuid(tenantId) || !isUuid(subscriptionId)) return [];
    const rows = await this.ofTenant(tenantId, (query) => {
      query.andWhere('d.subscription_id = :subscriptionId', { subscriptionId });
      if (criteria.status) query.andWhere('d.status = :status', { status: criteria.status });
      return keysetPage(query, 'd', criteria);
    });
    if (rows.length === 0) return [];
    const attempts = await this.tx.manager().find(WebhookDeliveryAttemptOrmEntity, {
      where: { deliveryId: In(rows.map((row) => row.entity.id)) },
      order: { deliveryId: 'ASC', attempt: 'ASC' },
    });
    const byDelivery = new Map<string, WebhookDeliveryAttempt[]>();
    for (const attempt of attempts) {
      const list = byDelivery.get(attempt.deliveryId) ?? [];
      list.push(WebhookMapper.attemptToDomain(attempt));
      byDelivery.set(attempt.deliveryId, list);
    }
    return rows.map(({ entity, position }) => ({
      item: { delivery: WebhookMapper.deliveryToDomain(entity), attemptLog: byDelivery.get(entity.id) ?? [] },
      position,
    }));
  }

  async listFailedSince(
    tenantId: string,
    subscriptionId: string,
    since: Date,
    limit: number,
    after?: { updatedAt: Date; id: string },
  ): Promise<WebhookDelivery[]> {
    if (!isUuid(tenantId) || !isUuid(subscriptionId)) return [];
    const rows = await this.ofTenant(tenantId, (query) => {
      query
        .andWhere('d.subscription_id = :subscriptionId', { subscriptionId })
        .andWhere(`d.status IN ('failed', 'dead')`)
        .andWhere('d.updated_at >= :since', { since });
      if (after)
        query.andWhere('(d.updated_at, d.id) > (:afterUpdatedAt, :afterId)', {
          afterUpdatedAt: after.updatedAt,
          afterId: after.id,
        });
      return query.orderBy('d.updatedAt', 'ASC').addOrderBy('d.id', 'ASC').limit(limit).getMany();
    });
    return rows.map((row) => WebhookMapper.deliveryToDomain(row));
  }

  private ofTenant<T>(
    tenantId: string,
    query: (builder: SelectQueryBuilder<WebhookDeliveryOrmEntity>) => Promise<T>,
  ): Promise<T> {
    return this.tx.forTenant(tenantId, (m) =>
      query(m.createQueryBuilder(WebhookDeliveryOrmEntity, 'd').where('d.tenant_id = :tenantId', { tenantId })),
    );
  }
}
