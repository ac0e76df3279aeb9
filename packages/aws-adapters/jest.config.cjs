module.exports = require('../../jest.preset.cjs')(__dirname, {
  // Each file starts its own moto_server; AWS calls on it take a while, and much of a file's time
  // is waiting (long polls, visibility timeouts), so two files run side by side.
  testTimeout: 60_000,
  maxWorkers: 2,
  setupFiles: ['<rootDir>/test/support/env.ts'],
});
