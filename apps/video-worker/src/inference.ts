import type { InferenceConfig } from '@stereo-spot/config';
import { PipelineError, type ObjectStorage, type StereoInference } from '@stereo-spot/pipeline';
import {
  createBuiltinInference,
  createHttpInference,
  type ConvertFile,
} from '@stereo-spot/inference-adapters';

export interface InferenceDeps {
  readonly inputStorage: ObjectStorage;
  readonly outputStorage: ObjectStorage;
  readonly scratchDir: string;
  readonly convertFile: ConvertFile;
  /**
   * Builds the SageMaker async backend; given only on the AWS platform (the composition root
   * loads the AWS SDK lazily, so the embedded stack never pays for it).
   */
  readonly createSageMaker?: (endpointName: string) => StereoInference;
}

/**
 * The configured backend: `builtin` converts in this process; `http` hands presigned URLs to an
 * inference server (INFERENCE_HTTP_URL), so that machine needs no credentials; `sagemaker`
 * invokes the asynchronous endpoint (SAGEMAKER_ENDPOINT_NAME) and exists only on AWS.
 */
export function createInference(config: InferenceConfig, deps: InferenceDeps): StereoInference {
  switch (config.backend) {
    case 'builtin':
      return createBuiltinInference({ ...deps, engine: config.engine });
    case 'http':
      return createHttpInference({
        baseUrl: config.url,
        inputStorage: deps.inputStorage,
        outputStorage: deps.outputStorage,
        ...(config.sharedSecret !== undefined ? { sharedSecret: config.sharedSecret } : {}),
      });
    case 'sagemaker':
      if (deps.createSageMaker === undefined) {
        throw new PipelineError(
          'CONFIGURATION',
          'INFERENCE_BACKEND=sagemaker needs STEREO_SPOT_PLATFORM=aws (the endpoint reads and writes S3)',
          true,
        );
      }
      return deps.createSageMaker(config.endpointName);
  }
}
