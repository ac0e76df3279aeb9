import type { InferenceConfig } from '@stereo-spot/config';
import { PipelineError, type ObjectStorage, type StereoInference } from '@stereo-spot/pipeline';
import { BuiltinStereoInference, type ConvertFile } from './builtin-inference';

export interface InferenceDeps {
  readonly inputStorage: ObjectStorage;
  readonly outputStorage: ObjectStorage;
  readonly scratchDir: string;
  readonly convertFile: ConvertFile;
}

/**
 * The configured backend. `http` (inference server) and `sagemaker` (async endpoint) are built by
 * the issues that bring those servers; until then choosing them is a configuration error at
 * start-up, never a backend that pretends to convert.
 */
export function createInference(config: InferenceConfig, deps: InferenceDeps): StereoInference {
  switch (config.backend) {
    case 'builtin':
      return new BuiltinStereoInference({ ...deps, engine: config.engine });
    case 'http':
    case 'sagemaker':
      throw new PipelineError(
        'CONFIGURATION',
        `INFERENCE_BACKEND=${config.backend} is not available in this build yet; use INFERENCE_BACKEND=builtin`,
        true,
      );
  }
}
