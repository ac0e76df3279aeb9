import { execFile, execFileSync } from 'node:child_process';
import path from 'node:path';
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

describe('what a command loads', () => {
  const bin = path.resolve(__dirname, '..', 'bin', 'stereo-spot.cjs');
  const program = path.resolve(__dirname, '..', 'src', 'program.ts');

  it('builds the command tree without loading the pipeline (`convert` does not pay for it)', () => {
    // Prepare: a Node process loading the command tree as the bin does (tsx), then listing its modules.
    const script = `require(${JSON.stringify(program)}); console.log(JSON.stringify(Object.keys(require.cache)));`;

    // Act
    const loaded = JSON.parse(
      execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: path.dirname(bin), encoding: 'utf8' }),
    ) as string[];

    // Assess
    expect(loaded).toEqual(expect.arrayContaining([expect.stringContaining(path.join('commands', 'convert.ts'))]));
    expect(loaded.filter((file) => /start-roles|run-until-signal|web-ui|video-worker/.test(file))).toEqual([]);
  });

  it('still starts a worker through the command: a role without its configuration names what is missing', async () => {
    // Prepare
    const env = { ...process.env, STEREO_SPOT_PLATFORM: 'aws', AWS_REGION: 'eu-west-1', JOBS_TABLE_NAME: 'jobs' };

    // Act
    const failed = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(process.execPath, [bin, 'worker', 'reassembly'], { env, encoding: 'utf8' }, (error, _stdout, stderr) =>
        resolve({ code: error ? (error as { code?: number }).code ?? null : 0, stderr }),
      );
    });

    // Assess
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('Invalid configuration for reassembly (STEREO_SPOT_PLATFORM=aws)');
    expect(failed.stderr).toContain('REASSEMBLY_QUEUE_URL: missing (required for reassembly on aws)');
  });
});
