// The builtin backend runs real ffmpeg and the engine, the sagemaker one moto_server: allow for a busy machine.
module.exports = require('../../jest.preset.cjs')(__dirname, {
  testTimeout: 60_000,
  setupFiles: ['<rootDir>/test/support/env.ts'],
});
