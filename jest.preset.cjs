// Shared Jest settings: TypeScript through SWC (fast, no type checking: `typecheck` does that),
// and one JSON report per project so `scripts/test-summary.mjs` can total the run.
const path = require('node:path');

/** @param {string} projectDir absolute path of the project (pass __dirname) */
module.exports = function jestPreset(projectDir, overrides = {}) {
  const projectName = path.basename(projectDir);
  return {
    displayName: projectName,
    rootDir: projectDir,
    testEnvironment: 'node',
    testMatch: ['<rootDir>/**/*.test.ts'],
    testPathIgnorePatterns: ['/node_modules/', '/dist/'],
    transform: {
      '^.+\\.(t|j)sx?$': [
        '@swc/jest',
        { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } },
      ],
    },
    moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
    clearMocks: true,
    ...overrides,
  };
};
