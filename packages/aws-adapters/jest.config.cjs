module.exports = require('../../jest.preset.cjs')(__dirname, {
  // Each file starts its own moto_server; AWS calls on it take a while.
  testTimeout: 60_000,
  setupFiles: ['<rootDir>/test/support/env.ts'],
});
