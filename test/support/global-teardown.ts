import { Client } from 'pg';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { TestEnv } from './test-env';

export default async function globalTeardown(): Promise<void> {
  const env = (globalThis as Record<string, unknown>).__TEMPORAL_TEST_ENV__ as TestWorkflowEnvironment | undefined;
  await env?.teardown();

  const runId = process.env.TEST_RUN_ID;
  if (!runId) return;
  const admin = new Client({ connectionString: TestEnv.adminDatabaseUrl() });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [
      `crm_test_${runId}_%`,
    ]);
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
