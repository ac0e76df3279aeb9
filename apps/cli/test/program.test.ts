import { buildProgram } from '../src';

describe('stereo-spot command', () => {
  it('is named stereo-spot and describes itself', () => {
    const program = buildProgram();
    expect(program.name()).toBe('stereo-spot');
    expect(program.helpInformation()).toContain('stereoscopic 3D');
  });
});
