import { resolveRoles } from '../src/composition/start-roles';

describe('stereo-spot worker roles', () => {
  it('expands media to chunking + reassembly and keeps one canonical order', () => {
    expect(resolveRoles(['video', 'media', 'web-ui'])).toEqual(['web', 'chunking', 'reassembly', 'video']);
    expect(resolveRoles(['trigger', 'trigger'])).toEqual(['trigger']);
  });

  it('names the choices for an unknown role', () => {
    expect(() => resolveRoles(['gpu'])).toThrow(
      /unknown role "gpu": choose from web, chunking, reassembly, video, trigger, web-ui, media/,
    );
  });
});
