// Two projects: unit tests (*.test.ts) need nothing running; integration
// tests (*.int.test.ts) talk to the real local stack, which the integration
// project's global setup brings up (reusing a running one) and its teardown
// stops again if it started it.
const transform = { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }] };
const { existsSync } = require('node:fs');
const roots = ['core', 'infra', 'topics', 'schemas', 'lib', 'processors', 'gateways', 'scripts'].filter((d) => existsSync(`${__dirname}/${d}`)).map((d) => `<rootDir>/${d}`);
const ignore = ['/node_modules/', '/scratch-'];

module.exports = {
  // A global option (jest ignores it inside a project): integration tests wait on real services.
  testTimeout: 120000,
  projects: [
    {
      displayName: 'unit',
      roots,
      transform,
      testEnvironment: 'node',
      testMatch: ['**/test/**/*.test.ts'],
      testPathIgnorePatterns: [...ignore, '\\.int\\.test\\.ts$'],
    },
    {
      displayName: 'integration',
      roots,
      transform,
      testEnvironment: 'node',
      testMatch: ['**/test/**/*.int.test.ts'],
      testPathIgnorePatterns: ignore,
      globalSetup: '<rootDir>/scripts/test-support/global-setup.ts',
      globalTeardown: '<rootDir>/scripts/test-support/global-teardown.ts',
    },
  ],
};
