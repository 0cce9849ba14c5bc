import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { tracedBundlePath } from '../../apps/worker/src/workflow-code';
import { runMigrations } from '../../libs/database/src/run-migrations';
import { APP_ROLE, databaseUrl, TEST_NAMESPACES, TestEnv } from './test-env';

/** Once per jest run: a migrated template database (each suite clones it), a real Temporal dev
 *  server started from the locally built CLI (never downloaded), and one workflow bundle. */
export default async function globalSetup(): Promise<void> {
  const root = resolve(__dirname, '../..');
  const runId = `${Date.now().toString(36)}${process.pid}`;

  const template = `crm_test_${runId}_tpl`;
  const admin = new Client({ connectionString: TestEnv.adminDatabaseUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${template}`);
  await admin.end();
  await runMigrations(databaseUrl(template));
  // The migration creates the application role NOLOGIN (the deployment grants LOGIN); tests connect as it.
  const owner = new Client({ connectionString: TestEnv.adminDatabaseUrl() });
  await owner.connect();
  await owner.query(`ALTER ROLE ${APP_ROLE} LOGIN`);
  await owner.end();
  process.env.TEST_TEMPLATE_DATABASE = template;
  process.env.TEST_RUN_ID = runId;

  const cli = execFileSync('bash', [join(root, 'scripts/ensure-temporal-cli.sh')], { encoding: 'utf8' }).trim();
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: cli },
      log: { format: 'pretty', level: 'error' },
      // History-size hints fire early so continue-as-new paths run in tests as in production.
      extraArgs: [
        ...devServerArgs(root),
        '--dynamic-config-value',
        'limit.historyCount.suggestContinueAsNew=400',
        ...TEST_NAMESPACES.flatMap((ns) => ['--namespace', ns]),
      ],
    },
  });
  (globalThis as Record<string, unknown>).__TEMPORAL_TEST_ENV__ = env;
  process.env.TEST_TEMPORAL_ADDRESS = env.address;

  // Both bundles the worker chooses from: plain, and with the OpenTelemetry workflow interceptors
  // (a worker with tracing on reads the `.traced.js` twin, as in the image).
  const bundlePath = join(mkdtempSync(join(tmpdir(), 'crm-wf-')), 'workflow-bundle.js');
  for (const [path, interceptors] of [
    [bundlePath, []],
    [
      tracedBundlePath(bundlePath),
      [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')],
    ],
  ] as const) {
    const bundle = await bundleWorkflowCode({
      workflowsPath: join(root, 'libs/workflows/src/workflows/index.ts'),
      workflowInterceptorModules: [...interceptors],
      logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} } as never,
    });
    writeFileSync(path, bundle.code);
  }
  process.env.TEST_WORKFLOW_BUNDLE_PATH = bundlePath;
}

/** The dynamic config every dev server of the repo gets (scripts/temporal-dev-args.cjs). */
function devServerArgs(root: string): string[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(join(root, 'scripts/temporal-dev-args.cjs')) as { TEMPORAL_DEV_SERVER_ARGS: string[] })
    .TEMPORAL_DEV_SERVER_ARGS;
}
