import { resolveRoles } from '../src/composition/roles';

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
