import type { InferenceConfig } from '@stereo-spot/config';
import { PipelineError, type ObjectStorage, type StereoInference } from '@stereo-spot/pipeline';
import { HttpStereoInference } from '@stereo-spot/inference-server';
import { BuiltinStereoInference, type ConvertFile } from './builtin-inference';

export interface InferenceDeps {
  readonly inputStorage: ObjectStorage;
  readonly outputStorage: ObjectStorage;
  readonly scratchDir: string;
  readonly convertFile: ConvertFile;
}

/**
 * The configured backend: `builtin` converts in this process; `http` hands presigned URLs to an
 * inference server (INFERENCE_HTTP_URL), so that machine needs no credentials. `sagemaker` is
 * refused at start-up until its backend exists, never a backend that pretends to convert.
 */
export function createInference(config: InferenceConfig, deps: InferenceDeps): StereoInference {
  switch (config.backend) {
    case 'builtin':
      return new BuiltinStereoInference({ ...deps, engine: config.engine });
    case 'http':
      return new HttpStereoInference({
        baseUrl: config.url,
        inputStorage: deps.inputStorage,
        outputStorage: deps.outputStorage,
      });
    case 'sagemaker':
      throw new PipelineError(
        'CONFIGURATION',
        `INFERENCE_BACKEND=${config.backend} is not available in this build yet; use INFERENCE_BACKEND=builtin`,
        true,
      );
  }
}
