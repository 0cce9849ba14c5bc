import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { UnitOfWork } from '@app/shared';

const currentManager = new AsyncLocalStorage<EntityManager>();

/** Gives repositories the entity manager of the unit of work they run in, or the plain one outside. */
@Injectable()
export class TransactionContext {
  constructor(@InjectDataSource() readonly dataSource: DataSource) {}

  manager(): EntityManager {
    return currentManager.getStore() ?? this.dataSource.manager;
  }

  inTransaction(): boolean {
    return currentManager.getStore() !== undefined;
  }
}

@Injectable()
export class TypeOrmUnitOfWork extends UnitOfWork {
  constructor(private readonly context: TransactionContext) {
    super();
  }

  /** Nested calls join the outer transaction, so use cases compose. */
  run<T>(work: () => Promise<T>): Promise<T> {
    if (this.context.inTransaction()) return work();
    return this.context.dataSource.transaction((manager) => currentManager.run(manager, work));
  }
}
