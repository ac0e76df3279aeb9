import { isPermanentError } from '@stereo-spot/pipeline';
import { createInference, type InferenceDeps } from '../src/inference';

const deps = {
  scratchDir: '/tmp',
  convertFile: async () => ({}),
} as unknown as InferenceDeps;

describe('createInference', () => {
  it('builds the builtin backend', () => {
    expect(createInference({ backend: 'builtin', engine: {} }, deps).name).toBe('builtin');
  });

  it('builds the http backend on the inference server URL', () => {
    expect(createInference({ backend: 'http', url: 'http://127.0.0.1:9000' }, deps).name).toBe('http');
  });

  it('builds the sagemaker backend with the factory the AWS composition root gives', () => {
    // Prepare
    const built: string[] = [];
    const withSageMaker = {
      ...deps,
      createSageMaker: (endpointName: string) => {
        built.push(endpointName);
        return { name: 'sagemaker', convertSegment: async () => ({ seconds: 0 }) };
      },
    } as InferenceDeps;

    // Act
    const inference = createInference({ backend: 'sagemaker', endpointName: 'stereo' }, withSageMaker);

    // Assess
    expect(inference.name).toBe('sagemaker');
    expect(built).toEqual(['stereo']);
  });

  it('refuses sagemaker off AWS with a configuration error instead of pretending', () => {
    // Act
    let error: unknown;
    try {
      createInference({ backend: 'sagemaker', endpointName: 'stereo' }, deps);
    } catch (e) {
      error = e;
    }

    // Assess
    expect(error).toMatchObject({ code: 'CONFIGURATION' });
    expect(isPermanentError(error)).toBe(true);
    expect(String((error as Error).message)).toContain(
      'INFERENCE_BACKEND=sagemaker needs STEREO_SPOT_PLATFORM=aws',
    );
  });
});
