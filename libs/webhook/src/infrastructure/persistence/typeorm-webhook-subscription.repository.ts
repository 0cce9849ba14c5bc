import { Injectable } from '@nestjs/common';
import { type SelectQueryBuilder } from 'typeorm';
import { TransactionContext, keysetPage } from '@app/database';
import { isUuid, type Positioned } from '@app/shared';
import { type WebhookSubscription } from '../../domain/webhook-subscription.aggregate';
import {
  type WebhookSubscriptionListCriteria,
  WebhookSubscriptionRepository,
} from '../../domain/webhook-subscription.repository.port';
import { WebhookSubscriptionNotFoundError, WebhookSubscriptionVersionConflictError } from '../../domain/webhook.errors';
import { WebhookMapper } from './webhook.mapper';
import { WebhookSubscriptionOrmEntity } from './webhook-subscription.orm-entity';

type SubscriptionQuery = SelectQueryBuilder<WebhookSubscriptionOrmEntity>;

@Injectable()
export class TypeOrmWebhookSubscriptionRepository extends WebhookSubscriptionRepository {
  constructor(private readonly tx: TransactionContext) {
    super();
  }

  async insert(subscription: WebhookSubscription): Promise<void> {
    await this.tx.forTenant(subscription.tenantId, (m) =>
      m.insert(WebhookSubscriptionOrmEntity, WebhookMapper.subscriptionToOrm(subscription)),
    );
    subscription.markPersisted();
  }

  async findById(tenantId: string, id: string): Promise<WebhookSubscription | null> {
    if (!isUuid(tenantId) || !isUuid(id)) return null;
    const row = await this.live(tenantId, (q) => q.andWhere('s.id = :id', { id }).getOne());
    return row ? WebhookMapper.subscriptionToDomain(row) : null;
  }

  async findByIdForUpdate(tenantId: string, id: string): Promise<WebhookSubscription | null> {
    this.requireTransaction('findByIdForUpdate');
    if (!isUuid(tenantId) || !isUuid(id)) return null;
    const row = await this.live(tenantId, (q) =>
      q.andWhere('s.id = :id', { id }).setLock('pessimistic_write').getOne(),
    );
    return row ? WebhookMapper.subscriptionToDomain(row) : null;
  }

  async findAnyByIdForUpdate(tenantId: string, id: string): Promise<WebhookSubscription | null> {
    this.requireTransaction('findAnyByIdForUpdate');
    if (!isUuid(tenantId) || !isUuid(id)) return null;
    const row = await this.ofTenant(tenantId, (q) =>
      q.andWhere('s.id = :id', { id }).setLock('pessimistic_write').getOne(),
    );
    return row ? WebhookMapper.subscriptionToDomain(row) : null;
  }

  async listLive(tenantId: string): Promise<WebhookSubscription[]> {
    if (!isUuid(tenantId)) return [];
    const rows = await this.live(tenantId, (q) =>
      q.andWhere('s.active').orderBy('s.createdAt', 'ASC').addOrderBy('s.id', 'ASC').getMany(),
    );
    return rows.map((row) => WebhookMapper.subscriptionToDomain(row));
  }

  async list(tenantId: string, criteria: WebhookSubscriptionListCriteria): Promise<Positioned<WebhookSubscription>[]> {
    if (!isUuid(tenantId)) return [];
    const rows = await this.live(tenantId, (q) => keysetPage(q, 's', criteria));
    return rows.map(({ entity, position }) => ({ item: WebhookMapper.subscriptionToDomain(entity), position }));
  }

  async update(subscription: WebhookSubscription): Promise<void> {
    const row = WebhookMapper.subscriptionToOrm(subscription);
    const result = await this.tx.forTenant(subscription.tenantId, (m) =>
      m
        .createQueryBuilder()
        .update(WebhookSubscriptionOrmEntity)
        .set({
          url: row.url,
          description: row.description,
          eventTypes: row.eventTypes,
          channelId: row.channelId,
          secretEnc: row.secretEnc,
          active: row.active,
          maxAttempts: row.maxAttempts,
          consecutiveFailures: row.consecutiveFailures,
          failingSince: row.failingSince,
          disabledAt: row.disabledAt,
          disabledReason: row.disabledReason,
          deletedAt: row.deletedAt,
          updatedAt: row.updatedAt,
          version: row.version,
        })
        .where('tenant_id = :tenantId AND id = :id AND version = :expectedVersion', {
          tenantId: subscription.tenantId,
          id: subscription.id,
          expectedVersion: subscription.expectedVersion,
        })
        .execute(),
    );
    if (!result.affected) {
      const exists = await this.ofTenant(subscription.tenantId, (q) =>
        q.andWhere('s.id = :id', { id: subscription.id }).getExists(),
      );
      if (!exists) throw new WebhookSubscriptionNotFoundError(subscription.id);
      throw new WebhookSubscriptionVersionConflictError(subscription.id, subscription.expectedVersion);
    }
    subscription.markPersisted();
  }

  private ofTenant<T>(tenantId: string, query: (builder: SubscriptionQuery) => Promise<T>): Promise<T> {
    return this.tx.forTenant(tenantId, (m) =>
      query(m.createQueryBuilder(WebhookSubscriptionOrmEntity, 's').where('s.tenant_id = :tenantId', { tenantId })),
    );
  }

  private live<T>(tenantId: string, query: (builder: SubscriptionQuery) => Promise<T>): Promise<T> {
    return this.ofTenant(tenantId, (q) => query(q.andWhere('s.deleted_at IS NULL')));
  }

  private requireTransaction(method: string): void {
    if (!this.tx.inTransaction()) throw new Error(`${method} must run inside a unit of work`);
  }
}
