/** Two tiers: fast unit tests beside the code (no I/O), integration tests on the real stack. */
// isolatedModules (tsconfig) lets ts-jest transpile file by file; `npm run typecheck` does the type check once.
const tsJest = ['ts-jest', {}];
// .cache holds the local services' data and tools (infra/), never a module a test imports.
const modulePathIgnorePatterns = ['<rootDir>/.cache/'];
module.exports = {
  // testTimeout is a global option (jest ignores it inside projects); unit tests never come near it.
  testTimeout: 120000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      modulePathIgnorePatterns,
      testMatch: ['<rootDir>/{schemas,platform,domain,processors,senders,analytics,ingest,simulators,cli,bench,deploy}/**/*.test.ts', '<rootDir>/tests/doubles/**/*.test.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      modulePathIgnorePatterns,
      testMatch: ['<rootDir>/tests/integration/**/*.test.ts'],
    },
  ],
};
