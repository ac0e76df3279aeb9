// Lint rules for every project. The module-boundary constraints are the architecture in code:
// apps compose, packages never import apps, the pipeline's use cases know only ports, and each
// adapter knows one platform. See docs/architecture.md.
import nx from '@nx/eslint-plugin';

const platformSdks = ['@aws-sdk/*', '@smithy/*', 'better-sqlite3', 'cdktf', '@cdktf/*'];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    ignores: [
      '**/node_modules',
      '**/dist',
      '**/coverage',
      '**/cdktf.out',
      '**/.stereo-spot',
      'reports',
      '.nx',
      // AssemblyScript (its own types: usize, v128, load<T>), compiled by scripts/build-wasm.mjs.
      'packages/stereo-engine/assembly',
    ],
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            {
              sourceTag: 'type:core',
              onlyDependOnLibsWithTags: ['type:core'],
              bannedExternalImports: platformSdks,
            },
            // The shape of the platform's resources (queues, tables, storage tags): plain data that
            // the infrastructure and the adapters both read, so it depends on nothing.
            {
              sourceTag: 'type:contract',
              onlyDependOnLibsWithTags: ['type:contract'],
              bannedExternalImports: platformSdks,
            },
            { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: ['type:core', 'type:contract'] },
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: ['type:app', 'type:core', 'type:adapter', 'type:contract'],
            },
            { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:core', 'type:infra', 'type:contract'] },
            {
              sourceTag: 'type:tool',
              onlyDependOnLibsWithTags: ['type:core', 'type:adapter', 'type:tool', 'type:app', 'type:contract'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.test.ts', '**/test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
];
