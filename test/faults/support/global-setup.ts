import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

/** Once per fault-suite run: the built apps (`npm run build`, the processes the suite starts and
 *  kills run from dist/ like a deployment), the Temporal CLI, and one workflow bundle every worker
 *  process loads instead of bundling at each (re)start. `FAULTS_SKIP_BUILD=1` reuses an existing dist/. */
export default async function globalSetup(): Promise<void> {
  const root = resolve(__dirname, '../../..');
  const started = Date.now();
  if (process.env.FAULTS_SKIP_BUILD !== '1' || !existsSync(join(root, 'dist/apps/api/src/main.js'))) {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  }
  execFileSync('bash', [join(root, 'scripts/ensure-temporal-cli.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  const bundle = await bundleWorkflowCode({
    workflowsPath: join(root, 'libs/workflows/src/workflows/index.ts'),
    logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} } as never,
  });
  const bundlePath = join(mkdtempSync(join(tmpdir(), 'crm-fault-wf-')), 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  process.env.FAULTS_WORKFLOW_BUNDLE_PATH = bundlePath;
  console.log(
    `\nfault suite set up in ${Math.round((Date.now() - started) / 1000)} s (profile ${process.env.FAULTS_PROFILE ?? 'full'})`,
  );
}
