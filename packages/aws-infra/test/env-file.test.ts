import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { formatEnvFile, parseEnvFile, shellQuote } from '../src/cli/env-file';

describe('.env from terraform outputs', () => {
  const outputs = {
    web_ui_url: { value: 'http://stereo-spot-web-123.us-east-1.elb.amazonaws.com' },
    chunking_queue_url: { value: 'https://sqs.us-east-1.amazonaws.com/123456789012/stereo-spot-chunking' },
    aws_region: { value: 'us-east-1' },
    segment_duration_seconds: { value: 300 },
    odd_value: { value: "it's $HOME; `x`" },
    a_secret: { value: 'hidden', sensitive: true },
    a_list: { value: ['not', 'a', 'scalar'] },
  };

  it('writes KEY=value lines with upper-case names, skipping sensitive and non-scalar outputs', () => {
    const text = formatEnvFile(outputs, 'stereo-spot');
    expect(text.split('\n').filter((line) => !line.startsWith('#') && line)).toEqual([
      'AWS_REGION=us-east-1',
      'CHUNKING_QUEUE_URL=https://sqs.us-east-1.amazonaws.com/123456789012/stereo-spot-chunking',
      'WEB_UI_URL=http://stereo-spot-web-123.us-east-1.elb.amazonaws.com',
      'SEGMENT_DURATION_SECONDS=300',
      "ODD_VALUE='it'\\''s $HOME; `x`'",
    ]);
  });

  it('is sourceable by sh and reads back to the same values', () => {
    // Prepare
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'env-file-')), '.env');
    writeFileSync(file, formatEnvFile(outputs, 'stereo-spot'));

    // Act: source it in a real shell and print the variables.
    const shell = spawnSync(
      'sh',
      ['-c', `set -a; . "${file}"; set +a; printf '%s\\n' "$ODD_VALUE" "$CHUNKING_QUEUE_URL"`],
      {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, HOME: '/nowhere' },
      },
    );

    // Assess
    expect(shell.status).toBe(0);
    expect(shell.stdout).toBe(
      "it's $HOME; `x`\nhttps://sqs.us-east-1.amazonaws.com/123456789012/stereo-spot-chunking\n",
    );
    expect(parseEnvFile(formatEnvFile(outputs, 'x')).ODD_VALUE).toBe("it's $HOME; `x`");
  });

  it('quotes only when it must', () => {
    expect(shellQuote('stereo-spot/web-ui')).toBe('stereo-spot/web-ui');
    expect(shellQuote('a b')).toBe("'a b'");
  });
});
