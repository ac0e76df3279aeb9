// Tests run real ffmpeg (and the engine): allow for a busy machine.
module.exports = require('../../jest.preset.cjs')(__dirname, { testTimeout: 60_000 });
