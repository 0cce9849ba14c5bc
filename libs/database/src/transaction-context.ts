import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { isUuid, UnitOfWork } from '@app/shared';

/** Whose rows a transaction sees under row-level security (migration RowLevelSecurity1764892800000):
 *  one tenant's, every tenant's (the system), or none yet (no setting: no rows). */
type RowScope = { tenantId: string } | 'system' | undefined;

interface OpenTransaction {
  readonly manager: EntityManager;
  scope: RowScope;
}

const currentTransaction = new AsyncLocalStorage<OpenTransaction>();

/** A transaction asked for two different row scopes: a programming error, never retried. */
export class RowScopeConflictError extends Error {
  constructor(current: RowScope, requested: RowScope) {
    super(`this transaction already runs for ${describe(current)}; it cannot also run for ${describe(requested)}`);
    this.name = 'RowScopeConflictError';
  }
}

/** Gives repositories the entity manager of the unit of work they run in, or the plain one outside,
 *  and sets the row scope row-level security filters on: `forTenant` for a tenant's work, `asSystem`
 *  (the one bypass) for cross-tenant system work. */
@Injectable()
export class TransactionContext {
  constructor(@InjectDataSource() readonly dataSource: DataSource) {}

  manager(): EntityManager {
    return currentTransaction.getStore()?.manager ?? this.dataSource.manager;
  }

  inTransaction(): boolean {
    return currentTransaction.getStore() !== undefined;
  }

  /** Runs `work` in a transaction that sees and writes only `tenantId`'s rows: the current one when
   *  there is one (setting its tenant if none is set yet), a new one otherwise. A transaction serves
   *  one tenant: asking for another throws. An id that is not a uuid sees nothing. */
  forTenant<T>(tenantId: string, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.inScope({ tenantId }, work);
  }

  /**
   * The one bypass of row-level security: runs `work` in a transaction that sees every tenant's rows.
   * Only for work that is cross-tenant by design (sweeps, outbox relay and claims, scrape-time
   * counts, resolving the tenant of an API key or channel). Inside a tenant's transaction it throws
   * rather than widen it; a tenant repository called inside it sees every tenant, as the system does.
   */
  asSystem<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.inScope('system', work);
  }

  /** Runs `work` outside the caller's transaction, if any: what it writes commits on its own. */
  detached<T>(work: () => Promise<T>): Promise<T> {
    return currentTransaction.exit(work);
  }

  /** Opens a transaction with no row scope yet (the unit of work's); its first forTenant sets one. */
  transaction<T>(work: () => Promise<T>): Promise<T> {
    if (this.inTransaction()) return work();
    return this.dataSource.transaction((manager) => currentTransaction.run({ manager, scope: undefined }, work));
  }

  private async inScope<T>(
    requested: Exclude<RowScope, undefined>,
    work: (manager: EntityManager) => Promise<T>,
  ): Promise<T> {
    const open = currentTransaction.getStore();
    if (!open) return this.transaction(() => this.inScope(requested, work));
    if (open.scope === undefined) {
      await applyScope(open.manager, requested);
      open.scope = requested;
    } else if (!sameScope(open.scope, requested) && !(open.scope === 'system' && requested !== 'system')) {
      throw new RowScopeConflictError(open.scope, requested);
    }
    return work(open.manager);
  }
}

/** Sets both settings for the rest of the transaction only (`is_local`): a pooled connection (or a
 *  PgBouncer server connection in transaction mode) carries nothing over to the next transaction. */
async function applyScope(manager: EntityManager, scope: Exclude<RowScope, undefined>): Promise<void> {
  const tenantId = scope === 'system' ? '' : isUuid(scope.tenantId) ? scope.tenantId : '';
  await manager.query(`SELECT set_config('app.tenant_id', $1, true), set_config('app.system', $2, true)`, [
    tenantId,
    scope === 'system' ? 'on' : 'off',
  ]);
}

function sameScope(a: RowScope, b: RowScope): boolean {
  if (a === 'system' || b === 'system' || a === undefined || b === undefined) return a === b;
  return a.tenantId === b.tenantId;
}

function describe(scope: RowScope): string {
  if (scope === undefined) return 'no row scope';
  return scope === 'system' ? 'the system' : `tenant ${scope.tenantId}`;
}

@Injectable()
export class TypeOrmUnitOfWork extends UnitOfWork {
  constructor(private readonly context: TransactionContext) {
    super();
  }

  /** Nested calls join the outer transaction, so use cases compose. */
  run<T>(work: () => Promise<T>): Promise<T> {
    return this.context.transaction(work);
  }
}
