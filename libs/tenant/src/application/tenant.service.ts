import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import {
  Clock,
  ConflictError,
  NotFoundError,
  type Page,
  type PageRequest,
  UnitOfWork,
  ValidationError,
  keysetAfter,
  pageLimit,
  toPage,
} from '@app/shared';
import { keysetPage, returnedRows, TransactionContext } from '@app/database';
import {
  API_SCOPES,
  type ApiKeyView,
  type ApiScope,
  ApiScopes,
  ApiKeySecret,
  type AuthenticatedApiKey,
  type CreatedApiKeyView,
  type IssuedApiKey,
} from '../domain/api-key';
import { ApiKeyOrmEntity, TenantOrmEntity } from '../infrastructure/tenant.orm-entity';

const KEY_NAME_MAX_LENGTH = 100;

/** Tenants and their API keys. */
@Injectable()
export class TenantService {
  constructor(
    private readonly tx: TransactionContext,
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  /** Creates a tenant and its first API key, which holds every scope (someone must be able to
   *  manage the others). `presetKey` lets an operator choose the key (dev setups). */
  async createTenant(name: string, keyName = 'default', presetKey?: string): Promise<IssuedApiKey> {
    const trimmed = name.trim();
    if (!trimmed) throw new ValidationError('name', 'must not be empty');
    const apiKey = presetKey ?? ApiKeySecret.generate();
    if (!ApiKeySecret.looksValid(apiKey)) throw new ValidationError('apiKey', 'must be 16 to 200 characters');
    const now = this.clock.now();
    return this.uow.run(async () => {
      const tenant = await this.tx.manager().save(TenantOrmEntity, { id: randomUUID(), name: trimmed, createdAt: now });
      const key = await this.tx.forTenant(tenant.id, (m) =>
        this.insertKey(m, tenant.id, keyName, [...API_SCOPES], apiKey),
      );
      return {
        tenant: { id: tenant.id, name: tenant.name, createdAt: tenant.createdAt.toISOString() },
        apiKeyId: key.id,
        apiKey,
      };
    });
  }

  /** The valid, unrevoked key a plaintext names, or null. Runs as the system: the key is what tells
   *  the tenant. */
  async authenticate(apiKey: string): Promise<AuthenticatedApiKey | null> {
    if (!ApiKeySecret.looksValid(apiKey)) return null;
    const row = await this.tx.asSystem((m) =>
      m.findOne(ApiKeyOrmEntity, {
        where: { keyHash: ApiKeySecret.hash(apiKey) },
        select: { id: true, tenantId: true, scopes: true, revokedAt: true },
      }),
    );
    return row && !row.revokedAt ? { id: row.id, tenantId: row.tenantId, scopes: row.scopes } : null;
  }

  /** A new key of the tenant with `scopes` (and the scopes they imply). The plaintext is in this
   *  answer only. */
  async createKey(tenantId: string, name: string, scopes: readonly string[]): Promise<CreatedApiKeyView> {
    const trimmed = name.trim();
    if (!trimmed || trimmed.length > KEY_NAME_MAX_LENGTH)
      throw new ValidationError('name', `must be 1 to ${KEY_NAME_MAX_LENGTH} characters`);
    const valid = scopes.filter(ApiScopes.isScope);
    if (valid.length === 0 || valid.length !== scopes.length)
      throw new ValidationError('scopes', `must be a non-empty list of ${API_SCOPES.join(', ')}`);
    const apiKey = ApiKeySecret.generate();
    const row = await this.tx.forTenant(tenantId, (m) =>
      this.insertKey(m, tenantId, trimmed, ApiScopes.withImplied(valid), apiKey),
    );
    return { ...toView(row), key: apiKey };
  }

  /** The tenant's keys, revoked ones included, newest first. */
  async listKeys(tenantId: string, page: PageRequest): Promise<Page<ApiKeyView>> {
    const limit = pageLimit(page.limit);
    const rows = await this.tx.forTenant(tenantId, (m) => {
      const query = m.createQueryBuilder(ApiKeyOrmEntity, 'k').where('k.tenant_id = :tenantId', { tenantId });
      return keysetPage(query, 'k', { limit: limit + 1, after: keysetAfter(page.cursor) });
    });
    return toPage(
      rows.map((row) => ({ item: row.entity, position: row.position })),
      limit,
      toView,
    );
  }

  /**
   * Revokes a key of the tenant: it stops working on the next request, the one making this call
   * included. Revoking a revoked key changes nothing. Refused (LAST_ADMIN_KEY) when it is the
   * tenant's last active admin key: nobody could manage keys any more. The tenant row is locked so
   * two concurrent revocations cannot each leave the other as "the last one".
   */
  async revokeKey(tenantId: string, apiKeyId: string): Promise<void> {
    await this.tx.forTenant(tenantId, async (manager) => {
      await manager.query(`SELECT 1 FROM tenants WHERE id = $1 FOR UPDATE`, [tenantId]);
      const key = await manager.findOne(ApiKeyOrmEntity, { where: { id: apiKeyId, tenantId } });
      if (!key) throw new NotFoundError('api key', apiKeyId);
      if (key.revokedAt) return;
      if (key.scopes.includes('admin')) {
        const [{ others }] = await manager.query(
          `SELECT count(*)::int AS others FROM api_keys WHERE tenant_id = $1 AND id <> $2 AND revoked_at IS NULL AND 'admin' = ANY (scopes)`,
          [tenantId, apiKeyId],
        );
        if (others === 0) {
          throw new ConflictError(
            'LAST_ADMIN_KEY',
            `api key ${apiKeyId} is the tenant's last active admin key; create another admin key before revoking it`,
            'id',
          );
        }
      }
      await manager.update(ApiKeyOrmEntity, { id: apiKeyId, tenantId }, { revokedAt: this.clock.now() });
    });
  }

  /**
   * Moves the key's last_used_at to now unless it was set less than `resolutionSeconds` ago (by any
   * process): a conditional UPDATE, so most calls write nothing. True when it wrote.
   */
  async recordUse(apiKeyId: string, resolutionSeconds: number): Promise<boolean> {
    // By key id, before any tenant work of the request: the system's bookkeeping.
    const result = await this.tx.asSystem((m) =>
      m.query(
        `UPDATE api_keys SET last_used_at = now()
        WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => $2))
        RETURNING id`,
        [apiKeyId, resolutionSeconds],
      ),
    );
    return returnedRows(result).length > 0;
  }

  private insertKey(
    manager: EntityManager,
    tenantId: string,
    name: string,
    scopes: ApiScope[],
    apiKey: string,
  ): Promise<ApiKeyOrmEntity> {
    return manager.save(ApiKeyOrmEntity, {
      id: randomUUID(),
      tenantId,
      name,
      keyPrefix: ApiKeySecret.displayPrefix(apiKey),
      keyHash: ApiKeySecret.hash(apiKey),
      scopes,
      createdAt: this.clock.now(),
      lastUsedAt: null,
      revokedAt: null,
    });
  }
}

function toView(row: ApiKeyOrmEntity): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.keyPrefix,
    scopes: row.scopes,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}
