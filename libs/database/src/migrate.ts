import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options';
import { validateConfig } from '@app/shared';
import { DatabaseEnv } from './database.config';

/** `npm run migrate`: applies pending migrations to DATABASE_URL. */
export async function runMigrations(url: string): Promise<string[]> {
  const dataSource = new DataSource(dataSourceOptions(url, 2));
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await dataSource.destroy();
  }
}

if (require.main === module) {
  const env = validateConfig(DatabaseEnv, process.env);
  runMigrations(env.DATABASE_URL)
    .then((names) => {
      process.stdout.write(names.length ? `applied: ${names.join(', ')}\n` : 'schema is up to date\n');
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
