// Three tiers (docs/conventions.md): unit specs are co-located and need nothing running; integration specs use the real
// Kafka broker and FerretDB that `npm test` starts; e2e specs boot apps for real against infra and the sandbox.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];
const moduleNameMapper = {
  '^@xero-sync/xero-sandbox$': '<rootDir>/tools/xero-sandbox/src',
  '^@xero-sync/(.*)$': '<rootDir>/libs/$1/src',
};
const common = { transform: { '^.+\\.ts$': swc }, moduleNameMapper, testEnvironment: 'node', rootDir: __dirname };

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,tools,scripts,test}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,tools}/**/*.int-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/libs/testing/src/jest-timeouts.ts'],
      globals: { JEST_TIER: 'integration' },
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: [
        '<rootDir>/apps/*/test/**/*.e2e-spec.ts',
        '<rootDir>/tools/*/test/**/*.e2e-spec.ts',
        '<rootDir>/test/**/*.e2e-spec.ts',
      ],
      setupFilesAfterEnv: ['<rootDir>/libs/testing/src/jest-timeouts.ts'],
      globals: { JEST_TIER: 'e2e' },
    },
    {
      ...common,
      displayName: 'faults',
      testMatch: [
        '<rootDir>/apps/syncer/test/syncer-crash.e2e-spec.ts',
        '<rootDir>/apps/syncer/test/syncer-outages.e2e-spec.ts',
      ],
      setupFilesAfterEnv: ['<rootDir>/libs/testing/src/jest-timeouts.ts'],
      globals: { JEST_TIER: 'e2e' },
    },
  ],
};
