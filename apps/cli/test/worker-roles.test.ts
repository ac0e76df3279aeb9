import { resolveRoles } from '../src/composition/roles';
import { startRoles } from '../src/composition/start-roles';

describe('stereo-spot worker roles', () => {
  it('takes the pipeline role names, once each, in the pipeline order', () => {
    expect(resolveRoles(['reassembly', 'video-worker', 'chunking', 'web-ui', 'reassembly-trigger'])).toEqual([
      'web-ui',
      'chunking',
      'video-worker',
      'reassembly',
      'reassembly-trigger',
    ]);
    expect(resolveRoles(['reassembly-trigger', 'reassembly-trigger'])).toEqual(['reassembly-trigger']);
  });

  it('still takes the older names scripts may have: media is chunking + reassembly', () => {
    expect(resolveRoles(['video', 'media', 'web'])).toEqual(['web-ui', 'chunking', 'video-worker', 'reassembly']);
    expect(resolveRoles(['trigger'])).toEqual(['reassembly-trigger']);
  });

  it('names the choices for an unknown role', () => {
    expect(() => resolveRoles(['gpu'])).toThrow(
      'unknown role "gpu": choose from web-ui, chunking, video-worker, reassembly, reassembly-trigger ' +
        '(older names: web, video, trigger, media)',
    );
  });
});

describe('a role without its configuration', () => {
  it('does not start: the error names each variable the role needs, and only those', async () => {
    // Prepare
    const env = { STEREO_SPOT_PLATFORM: 'aws', AWS_REGION: 'eu-west-1', JOBS_TABLE_NAME: 'jobs' };

    // Act
    const starting = startRoles({ roles: ['reassembly'], env, signal: new AbortController().signal });

    // Assess
    await expect(starting).rejects.toThrow('Invalid configuration for reassembly (STEREO_SPOT_PLATFORM=aws)');
    await expect(starting).rejects.toThrow('OUTPUT_BUCKET_NAME: missing (required for reassembly on aws)');
    await expect(starting).rejects.toThrow('REASSEMBLY_QUEUE_URL: missing (required for reassembly on aws)');
    await expect(starting).rejects.not.toThrow(/CHUNKING_QUEUE_URL|JOBS_TABLE_NAME/);
  });
});
