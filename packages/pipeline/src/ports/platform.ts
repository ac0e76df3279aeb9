import type { ObjectStorage } from './object-storage';
import type { JobStore } from './job-store';
import type { SegmentCompletionStore } from './segment-completions';
import type { ReassemblyTriggeredStore } from './reassembly-triggered';
import type { PipelineQueues, Queue, QueueRole } from './queue';
import type { ObjectEventFormat } from './object-events';

/**
 * Every port one platform provides (what an operator's tools and the contract suites use). Both
 * adapter sets (embedded and AWS) build one of these from configuration; a running role gets only
 * its own set (`RolePorts`).
 */
export interface PipelinePorts {
  /** `input/` uploads and `segments/` source segments. */
  readonly inputStorage: ObjectStorage;
  /** `jobs/` converted segments and finals. */
  readonly outputStorage: ObjectStorage;
  readonly jobs: JobStore;
  readonly segmentCompletions: SegmentCompletionStore;
  readonly reassemblyTriggered: ReassemblyTriggeredStore;
  readonly queues: PipelineQueues;
  /** How this platform's object-created messages (chunking and video-worker queues) read and write. */
  readonly objectEvents: ObjectEventFormat;
}

/**
 * The roles a process can run, named after the queue each consumes, plus the web UI and the
 * reassembly trigger (a Lambda on AWS, a change-feed reader embedded). One vocabulary for the
 * CLI, the composition root, the logs and the docs.
 */
export const PIPELINE_ROLES = ['web-ui', 'chunking', 'video-worker', 'reassembly', 'reassembly-trigger'] as const;
export type PipelineRole = (typeof PIPELINE_ROLES)[number];

/** The web UI and its JSON API: storage and records, no queue. */
export type WebUiPorts = Pick<
  PipelinePorts,
  'inputStorage' | 'outputStorage' | 'jobs' | 'segmentCompletions' | 'reassemblyTriggered'
>;

/** The chunking consumer, and the stuck-job janitor next to it (which re-sends reassemblies). */
export interface ChunkingPorts
  extends Pick<
    PipelinePorts,
    'inputStorage' | 'jobs' | 'segmentCompletions' | 'reassemblyTriggered' | 'objectEvents'
  > {
  readonly chunkingQueue: Queue;
  readonly reassemblyQueue: Queue;
}

/** The segment consumer; its inference backend reads `inputStorage` and writes `outputStorage`. */
export interface VideoWorkerPorts
  extends Pick<PipelinePorts, 'inputStorage' | 'outputStorage' | 'jobs' | 'segmentCompletions' | 'objectEvents'> {
  readonly videoWorkerQueue: Queue;
}

/** The reassembly consumer: the start lock, the completions, the segments and the source audio. */
export interface ReassemblyPorts
  extends Pick<
    PipelinePorts,
    'inputStorage' | 'outputStorage' | 'jobs' | 'segmentCompletions' | 'reassemblyTriggered'
  > {
  readonly reassemblyQueue: Queue;
}

/** The trigger decision: records in, one `{"job_id"}` on the reassembly queue out. */
export interface ReassemblyTriggerPorts
  extends Pick<PipelinePorts, 'jobs' | 'segmentCompletions' | 'reassemblyTriggered'> {
  readonly reassemblyQueue: Queue;
}

/** Each role's port set: exactly the ports that role uses. */
export interface RolePorts {
  readonly 'web-ui': WebUiPorts;
  readonly chunking: ChunkingPorts;
  readonly 'video-worker': VideoWorkerPorts;
  readonly reassembly: ReassemblyPorts;
  readonly 'reassembly-trigger': ReassemblyTriggerPorts;
}

/**
 * How a platform builds one port at a time. A platform opened for some roles only may lack a
 * resource: its builder then throws a permanent error naming the missing variable, which
 * `portsForRole` makes happen when the role starts, never on first use.
 */
export interface PortSource {
  inputStorage(): ObjectStorage;
  outputStorage(): ObjectStorage;
  jobs(): JobStore;
  segmentCompletions(): SegmentCompletionStore;
  reassemblyTriggered(): ReassemblyTriggeredStore;
  /** Async: a remote queue is described once (its visibility timeout) before it is used. */
  queue(role: QueueRole): Promise<Queue>;
  objectEvents(): ObjectEventFormat;
}

/** A platform whose every port is already built (embedded, the in-memory fakes) as a PortSource. */
export function portSourceOf(ports: PipelinePorts): PortSource {
  return {
    inputStorage: () => ports.inputStorage,
    outputStorage: () => ports.outputStorage,
    jobs: () => ports.jobs,
    segmentCompletions: () => ports.segmentCompletions,
    reassemblyTriggered: () => ports.reassemblyTriggered,
    queue: async (role) => ports.queues[role].queue,
    objectEvents: () => ports.objectEvents,
  };
}

const ROLE_PORT_BUILDERS: { readonly [R in PipelineRole]: (source: PortSource) => Promise<RolePorts[R]> } = {
  'web-ui': async (source) => ({
    inputStorage: source.inputStorage(),
    outputStorage: source.outputStorage(),
    jobs: source.jobs(),
    segmentCompletions: source.segmentCompletions(),
    reassemblyTriggered: source.reassemblyTriggered(),
  }),
  chunking: async (source) => ({
    inputStorage: source.inputStorage(),
    jobs: source.jobs(),
    segmentCompletions: source.segmentCompletions(),
    reassemblyTriggered: source.reassemblyTriggered(),
    objectEvents: source.objectEvents(),
    chunkingQueue: await source.queue('chunking'),
    reassemblyQueue: await source.queue('reassembly'),
  }),
  'video-worker': async (source) => ({
    inputStorage: source.inputStorage(),
    outputStorage: source.outputStorage(),
    jobs: source.jobs(),
    segmentCompletions: source.segmentCompletions(),
    objectEvents: source.objectEvents(),
    videoWorkerQueue: await source.queue('video-worker'),
  }),
  reassembly: async (source) => ({
    inputStorage: source.inputStorage(),
    outputStorage: source.outputStorage(),
    jobs: source.jobs(),
    segmentCompletions: source.segmentCompletions(),
    reassemblyTriggered: source.reassemblyTriggered(),
    reassemblyQueue: await source.queue('reassembly'),
  }),
  'reassembly-trigger': async (source) => ({
    jobs: source.jobs(),
    segmentCompletions: source.segmentCompletions(),
    reassemblyTriggered: source.reassemblyTriggered(),
    reassemblyQueue: await source.queue('reassembly'),
  }),
};

/** Builds exactly the ports `role` uses; rejects at once when the platform lacks one of them. */
export function portsForRole<R extends PipelineRole>(role: R, source: PortSource): Promise<RolePorts[R]> {
  return ROLE_PORT_BUILDERS[role](source);
}
