import 'reflect-metadata';
import { validateConfig } from '@app/shared';
import { DatabaseEnv } from './database.config';
import { runMigrations } from './run-migrations';

/** `npm run migrate`: applies pending migrations to DATABASE_URL. */
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
