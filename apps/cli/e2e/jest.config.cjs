// End-to-end tests: real `stereo-spot` processes, real ffmpeg and SQLite. One file at a time
// (they start several processes each and the machine may have only two cores).
module.exports = require('../../../jest.preset.cjs')(__dirname, {
  testMatch: ['<rootDir>/**/*.e2e.ts'],
  maxWorkers: 1,
  testTimeout: 240_000,
});
