export * from './database.module';
export * from './database.config';
export * from './data-source-options';
export * from './transaction-context';
export * from './run-migrations';
export * from './constraint-violation';
export * from './exact-timestamp';
export * from './keyset';
