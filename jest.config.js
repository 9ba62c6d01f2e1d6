// Two projects: `unit` (pure checks, renderers, nock-backed API and command tests)
// and `e2e` (the real kdiag binary against the local cluster, see cluster/).
const common = {
  preset: 'ts-jest/presets/default-esm',
  extensionsToTreatAsEsm: ['.ts'],
  // Source imports end in `.js` (NodeNext); ts-jest resolves the `.ts` file.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  setupFiles: ['<rootDir>/test/setup.ts'],
  testEnvironment: 'node',
};
const unitOnly = { setupFilesAfterEnv: ['<rootDir>/test/setup-nock.ts'] };

export default {
  verbose: true,
  projects: [
    { ...common, ...unitOnly, displayName: 'unit', testMatch: ['<rootDir>/test/**/*.test.ts'], testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e.test.ts'], setupFilesAfterEnv: ['<rootDir>/test/e2e/setup-timeout.ts'] },
  ],
};
