// Lint rules for every project. The module-boundary constraints are the architecture in code:
// the cli composes, no app imports another, packages never import apps, the pipeline's use cases
// know only ports, each platform adapter knows one platform, and only test code uses the test
// helpers. See docs/architecture.md.
import nx from '@nx/eslint-plugin';

const platformSdks = ['@aws-sdk/*', '@smithy/*', 'better-sqlite3', 'cdktf', '@cdktf/*'];

/**
 * Test code: tests, e2e suites, scripts/test, and the test helpers themselves (packages/testing,
 * a package's `src/testing` entry). Only test code may import the test helpers.
 */
const testCode = [
  '**/*.test.ts',
  '**/test/**/*.ts',
  '**/e2e/**/*.ts',
  '**/src/testing/**/*.ts',
  '**/src/testing.ts',
  'packages/testing/**/*.ts',
];

/** A package's test entry (`@stereo-spot/pipeline/testing`, `./testing`): fakes, for tests only. */
const testEntries = [
  {
    group: ['@stereo-spot/*/testing', '@stereo-spot/*/testing/*'],
    message: 'Test helpers are for test code only.',
  },
  { regex: '^(\\.\\.?/)+testing(/|$)', message: 'Test helpers are for test code only.' },
];

/** Tests, e2e suites and benches import the module they exercise by path, not their project's index. */
const ownIndex = {
  regex: '^(\\.\\./)+src(/index)?$',
  message: "Import the module by its path in src (e.g. '../src/job-store'), not the project's index.",
};

/**
 * Who may import whom, by project tag: the architecture's arrows. No app imports another app (what
 * two apps share is a package); the `stereo-spot` CLI with its e2e suite is the one composition
 * root that starts the apps. A platform's adapters (`adapter:platform`) know only that platform;
 * an inference backend (`adapter:backend`) may build on them. `type:contract` is plain data that
 * infra, adapters and apps all read. Test code may also import the test helpers (`type:testing`),
 * the AWS emulator (`scope:emulator`) and, in an app's tests, another app's real components.
 * aws-infra's `apply-emulated` starts the emulator too; infra may import no other adapter.
 */
function moduleBoundaries({ forTestCode }) {
  const orTest = (tags, alsoInTests = []) =>
    forTestCode ? [...tags, 'type:testing', 'scope:emulator', ...alsoInTests] : tags;
  return [
    'error',
    {
      enforceBuildableLibDependency: false,
      allow: [],
      depConstraints: [
        {
          sourceTag: 'type:core',
          onlyDependOnLibsWithTags: orTest(['type:core']),
          bannedExternalImports: platformSdks,
        },
        {
          sourceTag: 'type:contract',
          onlyDependOnLibsWithTags: orTest(['type:contract']),
          bannedExternalImports: platformSdks,
        },
        {
          sourceTag: 'type:adapter',
          onlyDependOnLibsWithTags: orTest(['type:core', 'type:contract', 'adapter:platform']),
        },
        { sourceTag: 'adapter:platform', onlyDependOnLibsWithTags: orTest(['type:core', 'type:contract']) },
        {
          sourceTag: 'type:app',
          onlyDependOnLibsWithTags: orTest(['type:core', 'type:contract', 'type:adapter'], ['type:app']),
        },
        {
          sourceTag: 'type:composition-root',
          onlyDependOnLibsWithTags: orTest(['type:app', 'type:core', 'type:contract', 'type:adapter']),
        },
        {
          sourceTag: 'type:infra',
          onlyDependOnLibsWithTags: orTest(['type:core', 'type:infra', 'type:contract', 'scope:emulator']),
        },
        {
          sourceTag: 'type:tool',
          onlyDependOnLibsWithTags: orTest([
            'type:core',
            'type:contract',
            'type:adapter',
            'type:tool',
            'type:app',
          ]),
        },
        // The test helpers are test code: like a test, they may use the emulator (its free-port probe).
        {
          sourceTag: 'type:testing',
          onlyDependOnLibsWithTags: ['type:core', 'type:contract', 'type:testing', 'scope:emulator'],
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
      '@nx/enforce-module-boundaries': moduleBoundaries({ forTestCode: false }),
      'no-restricted-imports': ['error', { patterns: testEntries }],
      // Every index names what it exports: a public surface is read, not discovered.
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ExportAllDeclaration',
          message: 'Name the exports (export { a, type B } from ...): `export *` is not allowed.',
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'off',
    },
  },
  {
    files: testCode,
    rules: {
      '@nx/enforce-module-boundaries': moduleBoundaries({ forTestCode: true }),
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // A project's src/index.ts is what OTHER projects see; its own tests, e2e suites and benches
    // import the module they exercise by path, so nothing is exported for a test's sake.
    files: ['**/*.test.ts', '**/test/**/*.ts', '**/e2e/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [ownIndex] }] },
  },
  {
    files: ['**/bench/**/*.ts', '**/eval/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...testEntries, ownIndex] }] },
  },
  {
    // The test helpers build on each other.
    files: ['**/src/testing/**/*.ts', '**/src/testing.ts', 'packages/testing/src/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
];
