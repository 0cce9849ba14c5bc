import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { databaseUrl, TestEnv } from './test-env';

/** A fresh database cloned from the migrated template: each suite gets its own, so suites run in
 *  parallel without seeing each other's rows. Dropped by the global teardown. */
export async function createTestDatabase(): Promise<string> {
  const name = `crm_test_${process.env.TEST_RUN_ID}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: TestEnv.adminDatabaseUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${TestEnv.templateDatabase()}`);
  } finally {
    await admin.end();
  }
  return databaseUrl(name);
}
