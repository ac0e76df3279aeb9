import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EnvFileError } from '../src/errors';
import { envFileValue, formatEnvFile, parseEnvFile } from '../src/env-file';

/** What `set -a; . file; set +a` in a real POSIX shell gives each name. */
function sourcedByShell(text: string, names: readonly string[]): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'env-file-'));
  try {
    const file = path.join(dir, '.env');
    writeFileSync(file, text);
    const printed = names.map((name) => `"$${name}"`).join(' ');
    const shell = spawnSync('sh', ['-c', `set -a; . "${file}"; set +a; printf '%s\\0' ${printed}`], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: '/nowhere' },
    });
    if (shell.status !== 0) throw new Error(`sh failed: ${shell.stderr}`);
    return shell.stdout.split('\0').slice(0, -1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('a .env file', () => {
  it('reads back the same values through a shell and through parseEnvFile', () => {
    // Prepare
    const values: [string, string][] = [
      ['QUEUE_URL', 'https://sqs.us-east-1.amazonaws.com/123456789012/stereo-spot-chunking'],
      ['WITH_SPACE', 'a b'],
      ['SHELL_WORDS', '$HOME; `x` # not a comment'],
      ['APOSTROPHE', "it's a value"],
      ['EMPTY', ''],
    ];

    // Act
    const text = formatEnvFile(['written by a test'], values);

    // Assess
    expect(text.startsWith('# written by a test\nQUEUE_URL=https://sqs')).toBe(true);
    expect(sourcedByShell(text, values.map(([name]) => name))).toEqual(values.map(([, value]) => value));
    expect(parseEnvFile(text)).toEqual(Object.fromEntries(values));
  });

  it('quotes only when it must', () => {
    expect(envFileValue('A', 'stereo-spot/web-ui')).toBe('stereo-spot/web-ui');
    expect(envFileValue('A', 'a b')).toBe("'a b'");
    expect(envFileValue('A', "it's")).toBe(`"it's"`);
  });

  it('refuses a value no shell and parseEnv read alike, naming the variable', () => {
    expect(() => envFileValue('ODD', "it's $HOME")).toThrow(EnvFileError);
    expect(() => envFileValue('ODD', "it's $HOME")).toThrow('ODD: a value with both a single quote');
    expect(() => envFileValue('TWO_LINES', 'a\nb')).toThrow('TWO_LINES: a value with a line break');
  });

  it('reads what people write by hand: comments, export, both quotes, trailing comments, spaces', () => {
    const values = parseEnvFile(
      [
        '# written by aws-infra:terraform-output',
        '',
        'AWS_REGION=eu-west-1',
        'export SAGEMAKER_ENDPOINT_NAME=stereo-spot-iw3',
        "ECR_URL='123456789012.dkr.ecr.eu-west-1.amazonaws.com/stereocrafter-sagemaker'",
        'ASYNC_OUTPUT="s3://out/sagemaker async/"',
        'IW3_PRESET=medium # quality over speed',
        'EMPTY=',
        '  SPACED = value with spaces  ',
      ].join('\n'),
    );
    expect(values).toEqual({
      AWS_REGION: 'eu-west-1',
      SAGEMAKER_ENDPOINT_NAME: 'stereo-spot-iw3',
      ECR_URL: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/stereocrafter-sagemaker',
      ASYNC_OUTPUT: 's3://out/sagemaker async/',
      IW3_PRESET: 'medium',
      EMPTY: '',
      SPACED: 'value with spaces',
    });
  });

  it('names the line that is not KEY=value instead of reading it into the next variable', () => {
    const read = () => parseEnvFile('A=1\nthis is not an assignment\nB=2\n', 'the.env');
    expect(read).toThrow(EnvFileError);
    expect(read).toThrow('the.env line 2 is not KEY=value: this is not an assignment');
  });
});
