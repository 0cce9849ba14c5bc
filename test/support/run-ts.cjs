/**
 * Runs a TypeScript entry point (`node test/support/run-ts.cjs apps/worker/src/main.ts`) the way jest
 * does (@swc/core with the repository's .swcrc, the `@app/<lib>` paths), without a build: for tests
 * that need an app as a process of its own (the Temporal SDK runtime is one per process).
 */
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { transformSync } = require('@swc/core');

const root = path.resolve(__dirname, '../..');
const swc = { ...JSON.parse(fs.readFileSync(path.join(root, '.swcrc'), 'utf8')), swcrc: false, sourceMaps: 'inline' };

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const lib = /^@app\/([a-z-]+)(\/.*)?$/.exec(request);
  return resolveFilename.call(this, lib ? path.join(root, 'libs', lib[1], 'src', lib[2] ?? '') : request, ...rest);
};
require.extensions['.ts'] = (module, filename) => {
  module._compile(transformSync(fs.readFileSync(filename, 'utf8'), { ...swc, filename }).code, filename);
};

const entry = process.argv[2];
if (!entry) throw new Error('usage: node test/support/run-ts.cjs <entry.ts>');
require(path.resolve(root, entry));
