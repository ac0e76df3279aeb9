// Public API of @stereo-spot/testing: contract suites, fixtures and the emulator harness.
export * from './moto';
