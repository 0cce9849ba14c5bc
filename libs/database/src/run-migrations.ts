import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options';

/** Arbitrary constant: the session-level advisory lock that serialises migration runs. */
const MIGRATION_LOCK_KEY = 727_011_042;

/** Applies pending migrations, each in its own transaction; returns their names. `url` is the schema
 *  owner's connection (DATABASE_MIGRATION_URL), never the application role's. Pods that start
 *  together (an initContainer per replica) wait on an advisory lock instead of racing. */
export async function runMigrations(url: string): Promise<string[]> {
  const dataSource = new DataSource(dataSourceOptions(url, 2, { asSystem: true }));
  await dataSource.initialize();
  const lock = dataSource.createQueryRunner();
  try {
    await lock.connect();
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.release();
    await dataSource.destroy();
  }
}
