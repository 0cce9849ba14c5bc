import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { runMigrations } from '../../libs/database/src/run-migrations';
import { workflowsEntryPoint } from '../../apps/worker/src/workflow-code';
import { cleanups, log } from './bench-process';
import { repoRoot } from './repo-root';

export { repoRoot } from './repo-root';

export function adminDatabaseUrl(): string {
  return process.env.BENCH_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

function databaseUrl(database: string): string {
  const url = new URL(adminDatabaseUrl());
  url.pathname = `/${database}`;
  return url.toString();
}

async function withAdmin<T>(work: (admin: Client) => Promise<T>): Promise<T> {
  const admin = new Client({ connectionString: adminDatabaseUrl() });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end().catch(() => undefined);
  }
}

export interface BenchDatabase {
  name: string;
  /** As the admin (a superuser: row-level security does not apply). */
  url: string;
  /** As the application role crm_app, as deployed apps connect (row-level security applies). */
  appUrl: string;
  serverVersion: string;
  drop(): Promise<void>;
}

/** CREATE DATABASE crm_bench_<random>, migrated; `drop()` removes it (idempotent, forced). */
export async function createBenchDatabase(): Promise<BenchDatabase> {
  const name = `crm_bench_${randomBytes(5).toString('hex')}`;
  const serverVersion = await withAdmin(async (admin) => {
    await admin.query(`CREATE DATABASE ${name}`);
    const { rows } = await admin.query<{ server_version: string }>(`SHOW server_version`);
    return rows[0]?.server_version ?? '?';
  });
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  };
  const url = databaseUrl(name);
  try {
    await runMigrations(url);
    // The migration creates the role NOLOGIN (roles are per server: this reaches every database).
    await withAdmin((admin) => admin.query(`ALTER ROLE crm_app LOGIN`));
  } catch (err) {
    await drop().catch(() => undefined);
    throw err;
  }
  const appUrl = new URL(url);
  appUrl.username = 'crm_app';
  appUrl.password = '';
  return { name, url, appUrl: appUrl.toString(), serverVersion, drop };
}

export interface BenchTemporal {
  env: TestWorkflowEnvironment;
  address: string;
  cliPath: string;
  /** The dev server's extra arguments (the repo's, then the bench's). */
  args: string[];
  /** Where its SQLite database lives: in memory (tests, benches) or a file (`npm run dev`). */
  db: 'memory' | 'file';
  teardown(): Promise<void>;
}

/** The SQLite pragmas the TS SDK's own CI gives its dev server (scripts/temporal-dev-args.cjs). */
const SQLITE_PRAGMAS = ['--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=OFF'];

/** `--sqlite-pragma X` pairs removed. */
function withoutPragmas(args: string[]): string[] {
  return args.filter((a, i) => a !== '--sqlite-pragma' && args[i - 1] !== '--sqlite-pragma');
}

/**
 * A real Temporal dev server on 127.0.0.1 from the locally built CLI (never downloaded), with the
 * repo's dev-server arguments (scripts/temporal-dev-args.cjs) and then the bench's own. Knobs (env,
 * every bench): BENCH_TEMPORAL_DB ("memory", the default, as the test suite runs it; "file": a
 * SQLite file in a temporary folder, as `npm run dev` runs it), BENCH_TEMPORAL_PRAGMAS ("repo", the
 * default: whatever temporal-dev-args.cjs passes; "on": the WAL / synchronous=OFF pragmas added if
 * missing; "off": every --sqlite-pragma removed).
 */
export async function startTemporal(extraArgs: string[] = []): Promise<BenchTemporal> {
  const cliPath = execFileSync('bash', [join(repoRoot(), 'scripts/ensure-temporal-cli.sh')], {
    encoding: 'utf8',
  }).trim();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const devArgs = require(join(repoRoot(), 'scripts/temporal-dev-args.cjs')) as { TEMPORAL_DEV_SERVER_ARGS: string[] };
  let repoArgs = [...devArgs.TEMPORAL_DEV_SERVER_ARGS];
  const pragmas = process.env.BENCH_TEMPORAL_PRAGMAS ?? 'repo';
  if (pragmas === 'off') repoArgs = withoutPragmas(repoArgs);
  else if (pragmas === 'on') repoArgs = [...withoutPragmas(repoArgs), ...SQLITE_PRAGMAS];
  else if (pragmas !== 'repo') throw new Error(`BENCH_TEMPORAL_PRAGMAS must be repo, on or off (got ${pragmas})`);
  const dbKind = process.env.BENCH_TEMPORAL_DB ?? 'memory';
  if (dbKind !== 'memory' && dbKind !== 'file')
    throw new Error(`BENCH_TEMPORAL_DB must be memory or file (got ${dbKind})`);
  let dbFilename: string | undefined;
  if (dbKind === 'file') {
    const dir = mkdtempSync(join(tmpdir(), 'crm-bench-temporal-'));
    dbFilename = join(dir, 'temporal.db');
    cleanups.push({ name: 'Temporal db folder', run: () => rmSync(dir, { recursive: true, force: true }) });
  }
  const args = [...repoArgs, ...extraArgs];
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: cliPath },
      ip: '127.0.0.1',
      log: { format: 'pretty', level: 'error' },
      dbFilename,
      extraArgs: args,
    },
  });
  let tornDown = false;
  return {
    env,
    address: env.address,
    cliPath,
    args,
    db: dbKind,
    teardown: async () => {
      if (tornDown) return;
      tornDown = true;
      await env.teardown();
    },
  };
}

/** Bundles the workflows once (the same entry point the worker uses), so each mode's worker starts
 *  from WORKFLOW_BUNDLE_PATH as production images do, instead of re-bundling. */
export async function prebundleWorkflows(): Promise<{ path: string; remove(): void }> {
  const noop = () => undefined;
  const { code } = await bundleWorkflowCode({
    workflowsPath: workflowsEntryPoint(),
    logger: { trace: noop, debug: noop, info: noop, log: noop, warn: console.warn, error: console.error },
  });
  const dir = mkdtempSync(join(tmpdir(), 'crm-bench-wf-'));
  const path = join(dir, 'workflow-bundle.js');
  writeFileSync(path, code);
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** What every benchmark runs on: its own Temporal dev server, a migrated database and the workflow
 *  bundle, each registered with the cleanups. */
export async function startBenchServices(
  temporalExtraArgs: string[],
): Promise<{ temporal: BenchTemporal; database: BenchDatabase; bundle: { path: string } }> {
  log('starting the Temporal dev server');
  const temporal = await startTemporal(temporalExtraArgs);
  cleanups.push({ name: 'Temporal dev server', run: () => temporal.teardown() });
  log(`Temporal dev server at ${temporal.address}; creating and migrating the database`);
  const database = await createBenchDatabase();
  cleanups.push({ name: `database ${database.name}`, run: () => database.drop() });
  log(`database ${database.name} ready; bundling the workflows`);
  const bundle = await prebundleWorkflows();
  cleanups.push({ name: 'workflow bundle', run: () => bundle.remove() });
  return { temporal, database, bundle };
}
