import { isPermanentError } from '@stereo-spot/pipeline';
import { createInference, type InferenceDeps } from '../src';

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

  it('refuses sagemaker at start-up with a configuration error instead of pretending', () => {
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
    expect(String((error as Error).message)).toContain('INFERENCE_BACKEND=sagemaker is not available');
  });
});
