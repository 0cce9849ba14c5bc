import { writeFileSync } from 'node:fs';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowsEntryPoint } from './workflow-code';

/** `node dist/apps/worker/src/build-workflow-bundle.js <out>`: prebuilds the workflow bundle for images. */
async function main(): Promise<void> {
  const out = process.argv[2] ?? 'dist/workflow-bundle.js';
  const { code } = await bundleWorkflowCode({ workflowsPath: workflowsEntryPoint() });
  writeFileSync(out, code);
  process.stdout.write(`workflow bundle written to ${out} (${code.length} bytes)\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
