import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

/** Production images ship a prebuilt bundle (WORKFLOW_BUNDLE_PATH); otherwise the workflows are
 *  bundled from the workflows entry point beside this app (the same relative path in src and dist). */
export async function resolveWorkflowCode(bundlePath?: string): Promise<{ workflowBundle: { code: string } | { codePath: string } }> {
  if (bundlePath) return { workflowBundle: { codePath: bundlePath } };
  const bundle = await bundleWorkflowCode({ workflowsPath: workflowsEntryPoint(), logger: quietLogger });
  return { workflowBundle: { code: bundle.code } };
}

export function workflowsEntryPoint(): string {
  return require.resolve(join(__dirname, '../../../libs/workflows/src/workflows/index'));
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, log: noop, warn: console.warn, error: console.error };
