/** Names of the values the global setup hands to every test worker through the environment. */
export const TestEnv = {
  adminDatabaseUrl: () => process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  templateDatabase: () => required('TEST_TEMPLATE_DATABASE'),
  temporalAddress: () => required('TEST_TEMPORAL_ADDRESS'),
  workflowBundlePath: () => required('TEST_WORKFLOW_BUNDLE_PATH'),
};

/** Namespaces the test dev server registers at start (no registration wait in suites). Each suite that
 *  runs the real worker takes its own, so task queues never mix across suites. */
export const TEST_NAMESPACES = [
  'crm-inbound',
  'crm-lifecycle',
  'crm-saga',
  'crm-modes',
  'crm-webhooks',
  'crm-import',
  'crm-misc',
  'crm-outage',
  'crm-corpus',
  'crm-sessions',
  'crm-codec',
  'crm-codec-api',
  'crm-tracing',
] as const;
export type TestNamespace = (typeof TEST_NAMESPACES)[number];

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through jest so the global setup runs`);
  return value;
}

export function databaseUrl(database: string): string {
  const url = new URL(TestEnv.adminDatabaseUrl());
  url.pathname = `/${database}`;
  return url.toString();
}

/** The same database as `url`, connected as the application role the migrations create (crm_app):
 *  what the apps use, so row-level security applies. The global setup lets it log in (trust auth). */
export function appRoleUrl(url: string): string {
  const parsed = new URL(url);
  parsed.username = APP_ROLE;
  parsed.password = '';
  return parsed.toString();
}

/** The role of RowLevelSecurity1764892800000 (kept literal here: test-env is loaded before the libs). */
export const APP_ROLE = 'crm_app';
