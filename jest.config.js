// Projects: `unit` (pure checks, renderers, nock-backed API and command tests)
// `e2e` (the real kdiag binary against the local cluster, see cluster/) and `exit` (the real
// binary run 200 times against the fake API: it must end when its output is written).
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
    {
      ...common,
      ...unitOnly,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/', '<rootDir>/test/exit/'],
    },
    // The real binary run many times against the fake API served over HTTPS (npm run test:exit).
    { ...common, ...unitOnly, displayName: 'exit', testMatch: ['<rootDir>/test/exit/**/*.test.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e.test.ts'], setupFilesAfterEnv: ['<rootDir>/test/e2e/setup-timeout.ts'] },
  ],
};
