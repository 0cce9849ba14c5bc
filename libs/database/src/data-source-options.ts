import { DataSourceOptions } from 'typeorm';
import { migrations } from './migrations';

/** The one place connection options are built: used by the Nest module, the migration CLI and tests.
 *  `asSystem` makes every transaction of the connection see all tenants' rows (row-level security's
 *  system flag as a startup option): only the migration runner uses it, as the schema owner, so data
 *  migrations are not filtered by the policies FORCE applies to a non-superuser owner. */
export function dataSourceOptions(url: string, poolSize = 20, { asSystem = false } = {}): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    uuidExtension: 'pgcrypto',
    synchronize: false,
    migrationsRun: false,
    migrations,
    migrationsTableName: 'schema_migrations',
    extra: { max: poolSize, ...(asSystem ? { options: '-c app.system=on' } : {}) },
  };
}
