import { Injectable } from '@nestjs/common';
import { type SelectQueryBuilder } from 'typeorm';
import { PG_UNIQUE_VIOLATION, TransactionContext, violatedConstraint, keysetPage } from '@app/database';
import { isUuid, type Positioned } from '@app/shared';
import { type Channel } from '../../domain/channel.aggregate';
import {
  ChannelNotFoundError,
  ChannelVersionConflictError,
  DuplicateChannelNameError,
} from '../../domain/channel.errors';
import { type ChannelListCriteria, ChannelRepository } from '../../domain/channel.repository.port';
import { ChannelMapper } from './channel.mapper';
import { ChannelOrmEntity } from './channel.orm-entity';

/** The unique index on (tenant_id, lower(name)). */
const TENANT_NAME_INDEX = 'channels_tenant_name_uq';

@Injectable()
export class TypeOrmChannelRepository extends ChannelRepository {
  constructor(private readonly tx: TransactionContext) {
    super();
  }

  async insert(channel: Channel): Promise<void> {
    try {
      await this.tx.forTenant(channel.tenantId, (m) => m.insert(ChannelOrmEntity, ChannelMapper.toOrm(channel)));
    } catch (error) {
      throw translateUniqueViolation(error, channel.name);
    }
    channel.markPersisted();
  }

  async findById(tenantId: string, id: string): Promise<Channel | null> {
    if (!isUuid(tenantId) || !isUuid(id)) return null;
    const row = await this.ofTenant(tenantId, (q) => q.andWhere('c.id = :id', { id }).getOne());
    return row ? ChannelMapper.toDomain(row) : null;
  }

  async findByIdForUpdate(tenantId: string, id: string): Promise<Channel | null> {
    if (!this.tx.inTransaction()) throw new Error('findByIdForUpdate must run inside a unit of work');
    if (!isUuid(tenantId) || !isUuid(id)) return null;
    const row = await this.ofTenant(tenantId, (q) =>
      q.andWhere('c.id = :id', { id }).setLock('pessimistic_write').getOne(),
    );
    return row ? ChannelMapper.toDomain(row) : null;
  }

  async findByIdInAnyTenant(id: string): Promise<Channel | null> {
    if (!isUuid(id)) return null;
    // Resolves the tenant of a WAHA webhook (which carries only the channel id): cross-tenant by design.
    const row = await this.tx.asSystem((m) =>
      m.createQueryBuilder(ChannelOrmEntity, 'c').where('c.id = :id', { id }).getOne(),
    );
    return row ? ChannelMapper.toDomain(row) : null;
  }

  async list(tenantId: string, criteria: ChannelListCriteria): Promise<Positioned<Channel>[]> {
    if (!isUuid(tenantId)) return [];
    const rows = await this.ofTenant(tenantId, (q) => keysetPage(q, 'c', criteria));
    return rows.map(({ entity, position }) => ({ item: ChannelMapper.toDomain(entity), position }));
  }

  async update(channel: Channel): Promise<void> {
    const row = ChannelMapper.toOrm(channel);
    let affected: number | undefined;
    try {
      const result = await this.tx.forTenant(channel.tenantId, (m) =>
        m
          .createQueryBuilder()
          .update(ChannelOrmEntity)
          .set({
            name: row.name,
            wahaBaseUrl: row.wahaBaseUrl,
            wahaSession: row.wahaSession,
            wahaApiKeyEnc: row.wahaApiKeyEnc,
            webhookSecretEnc: row.webhookSecretEnc,
            allowGroups: row.allowGroups,
            sessionTimeoutSeconds: row.sessionTimeoutSeconds,
            sessionWarningLeadSeconds: row.sessionWarningLeadSeconds,
            sessionWarningText: row.sessionWarningText,
            debounceWindowMs: row.debounceWindowMs,
            inboundMode: row.inboundMode,
            wahaStatus: row.wahaStatus,
            wahaStatusAt: row.wahaStatusAt,
            updatedAt: row.updatedAt,
            version: row.version,
          })
          .where('tenant_id = :tenantId AND id = :id AND version = :expectedVersion', {
            tenantId: channel.tenantId,
            id: channel.id,
            expectedVersion: channel.expectedVersion,
          })
          .execute(),
      );
      affected = result.affected;
    } catch (error) {
      throw translateUniqueViolation(error, channel.name);
    }
    if (!affected) {
      const current = await this.findById(channel.tenantId, channel.id);
      if (!current) throw new ChannelNotFoundError(channel.id);
      throw new ChannelVersionConflictError(channel.id, channel.expectedVersion);
    }
    channel.markPersisted();
  }

  private ofTenant<T>(
    tenantId: string,
    query: (builder: SelectQueryBuilder<ChannelOrmEntity>) => Promise<T>,
  ): Promise<T> {
    return this.tx.forTenant(tenantId, (m) =>
      query(m.createQueryBuilder(ChannelOrmEntity, 'c').where('c.tenant_id = :tenantId', { tenantId })),
    );
  }
}

function translateUniqueViolation(error: unknown, name: string): unknown {
  return violatedConstraint(error, PG_UNIQUE_VIOLATION) === TENANT_NAME_INDEX
    ? new DuplicateChannelNameError(name)
    : error;
}
