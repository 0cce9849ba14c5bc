'use strict';
// Image-size trim for the runtime's production node_modules (run in the Dockerfile's prod-deps
// stage, from /app). @temporalio/core-bridge ships its native module prebuilt for five platforms
// (about 30 MB each) plus the Rust sources of sdk-core; the image needs only the one it runs on.
// The target is named by the package's own resolver, and the build fails if that binary is missing.
const fs = require('node:fs');
const path = require('node:path');

const bridgeDir = path.resolve(process.argv[2] || 'node_modules/@temporalio/core-bridge');
const { getPrebuiltTargetName, getPrebuiltPath } = require(path.join(bridgeDir, 'common.js'));

const keep = getPrebuiltTargetName();
const releases = path.join(bridgeDir, 'releases');
for (const name of fs.readdirSync(releases)) {
  if (name !== keep) fs.rmSync(path.join(releases, name), { recursive: true, force: true });
}
fs.rmSync(path.join(bridgeDir, 'sdk-core'), { recursive: true, force: true });

// Throws (non-zero exit) when the binary this platform loads is not there.
process.stdout.write(`core-bridge: kept ${path.relative(bridgeDir, getPrebuiltPath())}\n`);
