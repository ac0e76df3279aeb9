// Lint rules for every project. The module-boundary constraints are the architecture in code:
// apps compose, no app imports another, packages never import apps, the pipeline's use cases know
// only ports, and each platform adapter knows one platform. See docs/architecture.md.
import nx from '@nx/eslint-plugin';

const platformSdks = ['@aws-sdk/*', '@smithy/*', 'better-sqlite3', 'cdktf', '@cdktf/*'];

/**
 * The architecture's arrows. `type:app` imports no other app: what two apps share is a package.
 * The `stereo-spot` CLI (with its e2e suite) is the one composition root that starts the apps.
 * `appsMayImportApps` only for app tests (see below).
 */
function moduleBoundaries({ appsMayImportApps = false } = {}) {
  return [
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
        // An inference backend (adapter:backend) may build on a platform's adapters (sagemaker
        // on aws-adapters' AWS error handling); a platform's adapters know only that platform.
        { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: ['type:core', 'type:contract', 'adapter:platform'] },
        { sourceTag: 'adapter:platform', onlyDependOnLibsWithTags: ['type:core', 'type:contract'] },
        {
          sourceTag: 'type:app',
          onlyDependOnLibsWithTags: ['type:core', 'type:contract', 'type:adapter', ...(appsMayImportApps ? ['type:app'] : [])],
        },
        {
          sourceTag: 'type:composition-root',
          onlyDependOnLibsWithTags: ['type:app', 'type:core', 'type:contract', 'type:adapter'],
        },
        { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:core', 'type:infra', 'type:contract'] },
        {
          sourceTag: 'type:tool',
          onlyDependOnLibsWithTags: ['type:core', 'type:contract', 'type:adapter', 'type:tool', 'type:app'],
        },
      ],
    },
  ];
}

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
      '@nx/enforce-module-boundaries': moduleBoundaries(),
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.test.ts', '**/test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    // An app's tests may drive another app's real components rather than a fake (the web UI's
    // tests make previews with the media-worker's ffmpeg MediaProcessor); its source may not.
    files: ['apps/*/test/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': moduleBoundaries({ appsMayImportApps: true }) },
  },
];
