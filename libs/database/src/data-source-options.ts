import { DataSourceOptions } from 'typeorm';
import { migrations } from './migrations';

/** The one place connection options are built: used by the Nest module, the migration CLI and tests. */
export function dataSourceOptions(url: string, poolSize = 20): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    uuidExtension: 'pgcrypto',
    synchronize: false,
    migrationsRun: false,
    migrations,
    migrationsTableName: 'schema_migrations',
    extra: { max: poolSize },
  };
}
