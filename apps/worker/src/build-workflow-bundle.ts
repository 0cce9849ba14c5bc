import { writeFileSync } from 'node:fs';
import { bundleWorkflows, tracedBundlePath } from './workflow-code';

/** `node dist/apps/worker/src/build-workflow-bundle.js <out>`: prebuilds the workflow bundles for
 *  images: `<out>` and, for OTEL_TRACING_ENABLED=true, `<out>` with `.traced.js`. */
async function main(): Promise<void> {
  const out = process.argv[2] ?? 'dist/workflow-bundle.js';
  for (const [path, tracing] of [
    [out, false],
    [tracedBundlePath(out), true],
  ] as const) {
    const code = await bundleWorkflows(tracing);
    writeFileSync(path, code);
    process.stdout.write(`workflow bundle written to ${path} (${code.length} bytes)\n`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
