import type { Logger } from '@stereo-spot/logging';
import type { Clock, IdGenerator, PipelinePorts } from '@stereo-spot/pipeline';

/** What the JSON API needs: the storage and record ports (no queue) and its settings. */
export interface ApiDeps extends Pick<
  PipelinePorts,
  'inputStorage' | 'outputStorage' | 'jobs' | 'segmentCompletions' | 'reassemblyLocks'
> {
  readonly logger: Logger;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly maxUploadBytes: number;
  readonly uploadUrlTtlSeconds: number;
  readonly downloadUrlTtlSeconds: number;
  /** How often the SSE stream looks at the job for changes. */
  readonly eventsPollMs: number;
}
