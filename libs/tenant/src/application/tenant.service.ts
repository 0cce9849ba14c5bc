import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Clock, UnitOfWork, ValidationError } from '@app/shared';
import { TransactionContext } from '@app/database';
import { ApiKeySecret, IssuedApiKey } from '../domain/api-key';
import { ApiKeyOrmEntity, TenantOrmEntity } from '../infrastructure/tenant.orm-entity';

@Injectable()
export class TenantService {
  constructor(
    private readonly tx: TransactionContext,
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  /** Creates a tenant and its first API key. `presetKey` lets an operator choose the key (dev setups). */
  async createTenant(name: string, keyName = 'default', presetKey?: string): Promise<IssuedApiKey> {
    const trimmed = name.trim();
    if (!trimmed) throw new ValidationError('name', 'must not be empty');
    const apiKey = presetKey ?? ApiKeySecret.generate();
    if (!ApiKeySecret.looksValid(apiKey)) throw new ValidationError('apiKey', 'must be 16 to 200 characters');
    const now = this.clock.now();
    return this.uow.run(async () => {
      const tenant = await this.tx.manager().save(TenantOrmEntity, { id: randomUUID(), name: trimmed, createdAt: now });
      const key = await this.tx.forTenant(tenant.id, (m) => m.save(ApiKeyOrmEntity, {
        id: randomUUID(),
        tenantId: tenant.id,
        name: keyName,
        keyPrefix: ApiKeySecret.displayPrefix(apiKey),
        keyHash: ApiKeySecret.hash(apiKey),
        createdAt: now,
        lastUsedAt: null,
        revokedAt: null,
      }));
      return {
        tenant: { id: tenant.id, name: tenant.name, createdAt: tenant.createdAt.toISOString() },
        apiKeyId: key.id,
        apiKey,
      };
    });
  }

  /** Returns the tenant id a valid, unrevoked key belongs to, or null. Runs as the system: the key
   *  is what tells the tenant. */
  async authenticate(apiKey: string): Promise<string | null> {
    if (!ApiKeySecret.looksValid(apiKey)) return null;
    const row = await this.tx.asSystem((m) =>
      m.findOne(ApiKeyOrmEntity, {
        where: { keyHash: ApiKeySecret.hash(apiKey) },
        select: { tenantId: true, revokedAt: true },
      }),
    );
    return row && !row.revokedAt ? row.tenantId : null;
  }


  async revokeKey(tenantId: string, apiKeyId: string): Promise<void> {
    await this.tx.forTenant(tenantId, (m) => m.update(ApiKeyOrmEntity, { id: apiKeyId, tenantId }, { revokedAt: this.clock.now() }));
  }
}
