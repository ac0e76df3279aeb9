// Public API of @stereo-spot/testing: contract suites (one per port, run against every adapter
// set), fixtures and the emulator harness. The contract suites use Jest globals: call them from
// a test file. `stereo` reads the 3D in decoded output frames (eye views, block matching) and makes
// the near-object scene those checks are made on.
export * from './contracts';
export * from './fixtures';
export * from './moto';
export * from './stereo';
