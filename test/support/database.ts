import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { appRoleUrl, databaseUrl, TestEnv } from './test-env';

/** A fresh database cloned from the migrated template: each suite gets its own, so suites run in
 *  parallel without seeing each other's rows. Dropped by the global teardown. The URL connects as the
 *  application role (crm_app), as the apps do, so row-level security applies to what the test runs;
 *  `ownerView` gives the test itself the owner's view of every row. */
export async function createTestDatabase(): Promise<string> {
  const name = `crm_test_${process.env.TEST_RUN_ID}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: TestEnv.adminDatabaseUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${TestEnv.templateDatabase()}`);
  } finally {
    await admin.end();
  }
  return appRoleUrl(databaseUrl(name));
}

/** The same database as `url`, connected as the admin (postgres, a superuser: row-level security
 *  does not apply), for a test's own seeding and checks. */
export function ownerUrl(url: string): string {
  const owner = new URL(url);
  const admin = new URL(TestEnv.adminDatabaseUrl());
  owner.username = admin.username;
  owner.password = admin.password;
  return owner.toString();
}

const ownerViews = new WeakMap<DataSource, Promise<DataSource>>();

/** A data source on the database of the app's `app` data source, connected as the owner: what tests
 *  seed and check rows through (the app's own sees only the tenant a transaction sets). Closed with
 *  `app`; its idle connections never keep the test process alive. */
export function ownerView(app: DataSource): Promise<DataSource> {
  let view = ownerViews.get(app);
  if (!view) {
    const options = app.options as { url?: string };
    if (!options.url) throw new Error('ownerView needs a data source configured by url');
    const owner = new DataSource({
      type: 'postgres',
      url: ownerUrl(options.url),
      extra: { max: 4, allowExitOnIdle: true },
    });
    view = owner.initialize();
    const destroyApp = app.destroy.bind(app);
    app.destroy = async () => {
      await owner.destroy().catch(() => undefined);
      await destroyApp();
    };
    ownerViews.set(app, view);
  }
  return view;
}
