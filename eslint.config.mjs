// Lint rules for the code conventions in docs/conventions.md: promise safety, exhaustive switches, no `any` outside tests, no import cycles,
// and each outside dependency (xero-node, opossum, kafkajs, mongoose) kept inside the one lib that owns it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import prettier from 'eslint-config-prettier';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const ownedBy = (pkg, lib) => ({ name: pkg, message: `${pkg} is imported only inside ${lib}; use its exports.` });
const restricted = {
  paths: [
    ownedBy('kafkajs', 'libs/messaging'),
    ownedBy('mongoose', 'libs/persistence'),
    ownedBy('@nestjs/mongoose', 'libs/persistence'),
    ownedBy('xero-node', 'libs/xero'),
    ownedBy('opossum', 'libs/xero'),
  ],
  patterns: [
    { group: ['@xero-sync/*/*'], message: 'Import a lib through its index (@xero-sync/<lib>), not its internals.' },
    { group: ['../../libs/*', '../../../libs/*', '../../../../libs/*'], message: 'Use the @xero-sync/<lib> alias.' },
  ],
};
const allowOwn = (pkgs) => ({
  paths: restricted.paths.filter((p) => !pkgs.includes(p.name)),
  patterns: restricted.patterns,
});

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      'test-artifacts/**',
      '**/*.js',
      '**/*.mjs',
      'apps/admin-api/public/**',
      // Deliberately circular imports for test/foundation/lint-cycles.spec.ts, which lints them itself.
      'test/fixtures/lint-cycle/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'import-x': importX },
    settings: {
      // import-x reads a dependency's imports only for files with these extensions (default: .js/.mjs/.cjs).
      // Without .ts here every TypeScript dependency is an empty module and no-cycle never sees a circle.
      'import-x/extensions': ['.ts'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/unbound-method': 'off',
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'no-restricted-imports': ['error', restricted],
    },
  },
  { files: ['libs/messaging/**/*.ts'], rules: { 'no-restricted-imports': ['error', allowOwn(['kafkajs'])] } },
  {
    files: ['libs/persistence/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', allowOwn(['mongoose', '@nestjs/mongoose'])] },
  },
  { files: ['libs/xero/**/*.ts'], rules: { 'no-restricted-imports': ['error', allowOwn(['xero-node', 'opossum'])] } },
  {
    // Tests may reach real servers directly (e.g. a raw kafkajs consumer to read what ingest published, a
    // mongoose connection to read what was persisted, the real xero-node client against the sandbox).
    files: [
      '**/*.spec.ts',
      '**/*.int-spec.ts',
      '**/*.e2e-spec.ts',
      '**/test/**/*.ts',
      'libs/testing/**/*.ts',
      'bench/**/*.ts',
      'tools/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': ['error', allowOwn(['kafkajs', 'mongoose', '@nestjs/mongoose', 'xero-node', 'opossum'])],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  prettier,
);
