// Public API of @stereo-spot/pipeline: the ports (interfaces every platform implements) and the
// use cases that depend only on them. No platform SDK may be imported here (enforced by lint).
export * from './ports/object-storage';
export * from './ports/job-store';
export * from './ports/segment-completions';
export * from './ports/reassembly-triggered';
export * from './ports/queue';
export * from './ports/object-events';
export * from './ports/stereo-inference';
export * from './ports/media-processor';
export * from './ports/clock';
export * from './ports/task-protection';
export * from './errors';
export * from './ports/platform';
export * from './use-cases';
export * from './consumer';
export { pause } from './pause';
export type { WorkContext } from './work-context';
