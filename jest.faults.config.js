/** The fault suite (`npm run test:faults`; `npm run test:faults:short` inside `npm test`): the system
 *  as real processes (owned PostgreSQL, owned Temporal dev server, api and worker from dist/), faults
 *  injected by killing and restarting them. Suites run one at a time: each owns every process it uses
 *  and loads both cores. */
const fs = require('fs');
const base = require('./jest.config');
const swcConfig = JSON.parse(fs.readFileSync(`${__dirname}/.swcrc`, 'utf8'));

module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/faults/**/*.fault-spec.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swcConfig, swcrc: false }] },
  moduleNameMapper: base.moduleNameMapper,
  globalSetup: '<rootDir>/test/faults/support/global-setup.ts',
  reporters: ['default', '<rootDir>/test/support/summary-reporter.cjs'],
  maxWorkers: 1,
  testTimeout: 30 * 60_000,
};
