import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

type WorkflowCode = { workflowBundle: { code: string } | { codePath: string } };

/** Production images ship prebuilt bundles (WORKFLOW_BUNDLE_PATH, and its traced twin beside it);
 *  otherwise the workflows are bundled from the workflows entry point beside this app (the same
 *  relative path in src and dist). */
export async function resolveWorkflowCode(bundlePath: string | undefined, tracing: boolean): Promise<WorkflowCode> {
  if (bundlePath) return { workflowBundle: { codePath: tracing ? tracedBundlePath(bundlePath) : bundlePath } };
  const code = await bundleWorkflows(tracing);
  return { workflowBundle: { code } };
}

/** The workflow bundle; with `tracing`, the OpenTelemetry workflow interceptors are bundled in (they
 *  run inside the sandbox, so they cannot be added to a bundle later). Tracing off keeps them out:
 *  no span is made per workflow activation when nobody collects it. */
export async function bundleWorkflows(tracing: boolean): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: workflowsEntryPoint(),
    workflowInterceptorModules: tracing
      ? [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')]
      : [],
    logger: quietLogger,
  });
  return code;
}

/** Where the traced bundle lives beside a prebuilt one: `workflow-bundle.js` -> `workflow-bundle.traced.js`. */
export function tracedBundlePath(bundlePath: string): string {
  return bundlePath.replace(/(\.js)?$/, '.traced.js');
}

export function workflowsEntryPoint(): string {
  return require.resolve(join(__dirname, '../../../libs/workflows/src/workflows/index'));
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, log: noop, warn: console.warn, error: console.error };
