import os from 'node:os';
import path from 'node:path';
import { buildProgram } from '../src/program';

const run = (...args: string[]) => buildProgram().exitOverride().parseAsync(['node', 'stereo-spot', ...args]);

describe('stereo-spot ops hf-token rotate', () => {
  afterEach(() => {
    process.exitCode = undefined;
    delete process.env.STEREO_SPOT_INFRA_ENV_FILE;
  });

  it('is listed under ops with its token sources', () => {
    const ops = buildProgram().commands.find((c) => c.name() === 'ops')!;
    const rotate = ops.commands.find((c) => c.name() === 'hf-token')!.commands.find((c) => c.name() === 'rotate')!;
    const help = rotate.helpInformation();
    expect(help).toContain('--token-file <file>');
    expect(help).toContain('--from-env <variable>');
    expect(help).toContain('--no-redeploy');
  });

  it('refuses to change anything without --yes when it cannot ask', async () => {
    await expect(run('ops', 'hf-token', 'rotate', '--from-env', 'HF_TOKEN')).rejects.toThrow(/pass --yes/);
  });

  it('runs the rotation, which fails (exit code 1) without the infrastructure file', async () => {
    process.env.STEREO_SPOT_INFRA_ENV_FILE = path.join(os.tmpdir(), 'no-such-dir', 'aws-infra.env');
    await run('ops', 'hf-token', 'rotate', '--from-env', 'HOME', '--yes');
    expect(process.exitCode).toBe(1);
  }, 30_000);
});
