// Lint gate (part of `npm test` through `npm run lint`). Formatting is prettier's job
// (.prettierrc.json); eslint checks code, not layout. Folder layering is dependency-cruiser's
// job (.dependency-cruiser.cjs), apart from the one import rule below that keeps
// @kubernetes/client-node inside src/cluster/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/**', 'dist.*/**', 'node_modules/**', 'coverage/**', 'oclif.manifest.json', 'build/out/**', '.cluster/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    rules: {
      // `_`-prefixed names are deliberately unused (destructuring away a field, callback arity).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/cluster/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@kubernetes/client-node', '@kubernetes/client-node/*'],
              // Type-only imports are erased at build time; narrow kdiag read types are to replace them.
              allowTypeImports: true,
              message: 'Only src/cluster/ talks to the API through client-node; elsewhere use kdiag types (src/snapshot.ts) and the cluster layer.',
            },
          ],
        },
      ],
    },
  },
  {
    // Analyses read like src/checks/netpol.ts: one small function per concern.
    // "warn" until the Ingress/Gateway rule split lands; then "error".
    files: ['src/checks/**/*.ts', 'src/gateway/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }] },
  },
  {
    files: ['test/**/*.ts'],
    languageOptions: { globals: { ...globals.jest } },
    rules: {
      // Fixtures are partial Kubernetes objects built inline.
      '@typescript-eslint/no-explicit-any': 'off',
      // Table output is matched literally, column gaps included.
      'no-regex-spaces': 'off',
    },
  },
);
