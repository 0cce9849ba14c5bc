/** One jest run covers unit (*.spec.ts), integration (*.int-spec.ts), e2e (*.e2e-spec.ts) and replay suites.
 *  The global setup provides a real PostgreSQL template database and a real Temporal dev server. */
const fs = require('fs');
const swcConfig = JSON.parse(fs.readFileSync(`${__dirname}/.swcrc`, 'utf8'));

module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  testMatch: ['<rootDir>/{apps,libs,test}/**/*.{spec,int-spec,e2e-spec,replay-spec}.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swcConfig, swcrc: false }] },
  moduleNameMapper: {
    '^@app/(shared|database|tenant|contact|channel|session|message|inbound|history-import|webhook|outbox|workflows)$':
      '<rootDir>/libs/$1/src',
    '^@app/(shared|database|tenant|contact|channel|session|message|inbound|history-import|webhook|outbox|workflows)/(.*)$':
      '<rootDir>/libs/$1/src/$2',
  },
  setupFiles: ['<rootDir>/test/support/quiet-temporal.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  reporters: ['default', '<rootDir>/test/support/summary-reporter.cjs'],
  maxWorkers: 2,
  testTimeout: 60000,
};
