import { parseEnvFile } from '@stereo-spot/config';
import { outputsEnvFile } from '../src/cli/env-file';

// The file format itself (quoting, what a shell and util.parseEnv read) is tested in packages/config.
describe('.env from terraform outputs', () => {
  const outputs = {
    web_ui_url: { value: 'http://stereo-spot-web-123.us-east-1.elb.amazonaws.com' },
    chunking_queue_url: { value: 'https://sqs.us-east-1.amazonaws.com/123456789012/stereo-spot-chunking' },
    aws_region: { value: 'us-east-1' },
    segment_duration_seconds: { value: 300 },
    odd_value: { value: '$HOME; `x`' },
    a_secret: { value: 'hidden', sensitive: true },
    a_list: { value: ['not', 'a', 'scalar'] },
  };

  it('writes KEY=value lines with upper-case names, skipping sensitive and non-scalar outputs', () => {
    const text = outputsEnvFile(outputs, 'stereo-spot');
    expect(text.split('\n').filter((line) => !line.startsWith('#') && line)).toEqual([
      'AWS_REGION=us-east-1',
      'CHUNKING_QUEUE_URL=https://sqs.us-east-1.amazonaws.com/123456789012/stereo-spot-chunking',
      'WEB_UI_URL=http://stereo-spot-web-123.us-east-1.elb.amazonaws.com',
      'SEGMENT_DURATION_SECONDS=300',
      "ODD_VALUE='$HOME; `x`'",
    ]);
  });

  it('reads back to the same values', () => {
    expect(parseEnvFile(outputsEnvFile(outputs, 'x'))).toEqual({
      AWS_REGION: 'us-east-1',
      CHUNKING_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/stereo-spot-chunking',
      WEB_UI_URL: 'http://stereo-spot-web-123.us-east-1.elb.amazonaws.com',
      SEGMENT_DURATION_SECONDS: '300',
      ODD_VALUE: '$HOME; `x`',
    });
  });
});
