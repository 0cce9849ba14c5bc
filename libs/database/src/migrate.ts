import 'reflect-metadata';
import { validateConfig } from '@app/shared';
import { MigrationEnv } from './database.config';
import { runMigrations } from './run-migrations';

/** `npm run migrate`: applies pending migrations as the schema owner (DATABASE_MIGRATION_URL). */
if (require.main === module) {
  const env = validateConfig(MigrationEnv, process.env);
  runMigrations((env.DATABASE_MIGRATION_URL ?? env.DATABASE_URL)!)
    .then((names) => {
      process.stdout.write(names.length ? `applied: ${names.join(', ')}\n` : 'schema is up to date\n');
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
