import { buildProgram } from '../src/program';

describe('stereo-spot command', () => {
  it('is named stereo-spot and describes itself', () => {
    const program = buildProgram();
    expect(program.name()).toBe('stereo-spot');
    expect(program.helpInformation()).toContain('stereoscopic 3D');
  });

  it('prints its version', () => {
    // Prepare
    const printed: string[] = [];
    const program = buildProgram()
      .exitOverride()
      .configureOutput({ writeOut: (text) => printed.push(text) });

    // Act
    const run = () => program.parse(['node', 'stereo-spot', '--version']);

    // Assess
    expect(run).toThrow(expect.objectContaining({ code: 'commander.version' }));
    expect(printed.join('').trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
