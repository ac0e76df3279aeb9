// Public API of @stereo-spot/testing, for test code only (lint keeps production code out):
// contract suites (one per port, run against every adapter set; they use Jest globals, so call
// them from a test file), fixtures, and the stereo checks that read the 3D in decoded output
// frames of the near-object scene. The AWS emulator itself is @stereo-spot/aws-emulator.
export { describeQueueContract } from './contracts/queue-contract';
export { describeJobStoreContract } from './contracts/job-store-contract';
export { describeSegmentCompletionStoreContract } from './contracts/segment-completions-contract';
export { describeReassemblyTriggeredStoreContract } from './contracts/reassembly-triggered-contract';
export { describeObjectStorageContract } from './contracts/object-storage-contract';
export { makeTempDir, type TempDir } from './fixtures/temp-dir';
export { freePort } from './fixtures/free-port';
export { makeTestClip, type TestClip } from './fixtures/test-clip';
export { makeJob, makeSegmentCompletion, newJobId } from './fixtures/jobs';
export { QUICK_PIPELINE_ENV } from './fixtures/quick-pipeline-env';
export { makeHostileUploads, hlsPlaylistNaming, type HostileUpload } from './fixtures/hostile-media';
export { uniqueResourcePrefix } from './fixtures/resource-prefix';
export { makeNearObjectScene, nearObjectScene, type NearObjectSceneFile } from './stereo/near-object-scene';
export { measureSceneOutput, sceneStereoDefects } from './stereo/scene-parallax';
