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

  it.each([
    [{ backend: 'http', url: 'http://127.0.0.1:9000' } as const],
    [{ backend: 'sagemaker', endpointName: 'stereo' } as const],
  ])('refuses %o at start-up with a configuration error instead of pretending', (config) => {
    // Act
    let error: unknown;
    try {
      createInference(config, deps);
    } catch (e) {
      error = e;
    }

    // Assess
    expect(error).toMatchObject({ code: 'CONFIGURATION' });
    expect(isPermanentError(error)).toBe(true);
    expect(String((error as Error).message)).toContain(
      `INFERENCE_BACKEND=${config.backend} is not available`,
    );
  });
});
