// Public API of @stereo-spot/testing (for tests only; lint keeps production code out): contract
// suites (one per port, run against every adapter set), fixtures and the emulator harness. The
// contract suites use Jest globals: call them from a test file. The stereo checks read the 3D in
// decoded output frames of the near-object scene.
export { describeQueueContract } from './contracts/queue-contract';
export { describeJobStoreContract } from './contracts/job-store-contract';
export { describeSegmentCompletionStoreContract } from './contracts/segment-completions-contract';
export { describeReassemblyLockStoreContract } from './contracts/reassembly-lock-contract';
export { describeObjectStorageContract } from './contracts/object-storage-contract';
export { makeTempDir, type TempDir } from './fixtures/temp-dir';
export { freePort } from './fixtures/free-port';
export { makeTestClip, type TestClip } from './fixtures/test-clip';
export { makeJob, makeSegmentCompletion, newJobId } from './fixtures/jobs';
export { QUICK_STACK_ENV } from './fixtures/quick-stack-env';
export { makeHostileUploads, hlsPlaylistNaming, type HostileUpload } from './fixtures/hostile-media';
export { startMotoServer, uniqueResourcePrefix, type MotoServer } from './moto/moto-server';
export { makeNearObjectScene, nearObjectScene, type NearObjectSceneFile } from './stereo/near-object-scene';
export { measureSceneOutput, sceneStereoDefects } from './stereo/scene-parallax';
