// Public API of @stereo-spot/testing: contract suites (one per port, run against every adapter
// set), fixtures and the emulator harness. The contract suites use Jest globals: call them from
// a test file.
export * from './contracts';
export * from './fixtures';
export * from './moto';
