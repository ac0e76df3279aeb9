import type { ObjectStorage } from './object-storage';
import type { JobStore } from './job-store';
import type { SegmentCompletionStore } from './segment-completions';
import type { ReassemblyLockStore } from './reassembly-lock';
import type { PipelineQueues } from './queue';
import type { ObjectEventFormat } from './object-events';

/**
 * Every port one platform provides, as the composition roots hand them to the use cases. Both
 * adapter sets (embedded and AWS) build one of these from configuration.
 */
export interface PipelinePorts {
  /** `input/` uploads and `segments/` source segments. */
  readonly inputStorage: ObjectStorage;
  /** `jobs/` converted segments and finals. */
  readonly outputStorage: ObjectStorage;
  readonly jobs: JobStore;
  readonly segmentCompletions: SegmentCompletionStore;
  readonly reassemblyLocks: ReassemblyLockStore;
  readonly queues: PipelineQueues;
  /** How this platform's object-created messages (chunking and video-worker queues) read and write. */
  readonly objectEvents: ObjectEventFormat;
}
