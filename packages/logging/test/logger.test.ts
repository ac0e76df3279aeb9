import { forJob, logJobError } from '../src/logger';
import { logFormatFor, prettyLine } from '../src/pretty';
import { captureLogger } from '../src/testing';

const JOB = '3f2b8c1e-6d4a-4b9e-8f00-1234567890ab';

describe('job logging', () => {
  it('writes job_id and segment_index as fields and in the message text', () => {
    // Prepare
    const { logger, lines } = captureLogger();

    // Act
    forJob(logger, { jobId: JOB, segmentIndex: 4 }).info('segment converted');

    // Assess
    expect(lines[0]).toMatchObject({
      name: 'test',
      job_id: JOB,
      segment_index: 4,
      msg: `job_id=${JOB} segment_index=4 segment converted`,
    });
  });

  it('logs job_id=? when the body could not be parsed', () => {
    const { logger, lines } = captureLogger();
    forJob(logger, { jobId: undefined }).warn('unparseable message');
    expect(lines[0]).toMatchObject({ job_id: '?', msg: 'job_id=? unparseable message' });
  });

  it('logs errors with the job id, the error code and the stack', () => {
    const { logger, lines } = captureLogger();
    const error = Object.assign(new Error('ffmpeg exited with code 1'), { code: 'FFMPEG_FAILED' });

    logJobError(logger, { jobId: JOB }, error, 'chunking failed');

    expect(lines[0]).toMatchObject({
      level: 50,
      job_id: JOB,
      code: 'FFMPEG_FAILED',
      msg: `job_id=${JOB} chunking failed: ffmpeg exited with code 1`,
      err: { type: 'Error', message: 'ffmpeg exited with code 1' },
    });
    expect((lines[0]?.err as { stack: string }).stack).toContain('logger.test.ts');
  });
});

describe('presigned URLs in logs', () => {
  const embedded =
    'http://127.0.0.1:8080/presigned/stereo-spot-input/input/x/source.mp4?method=PUT&expires=1&max_bytes=9&signature=c2VjcmV0LXNpZ25hdHVyZQ';
  const s3 =
    'https://in.s3.amazonaws.com/input/x/source.mp4?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=abcdef0123456789&X-Amz-Security-Token=FQoGZXIvYXdzEXAMPLE';

  it('never writes a signature, at debug level, in messages, fields, bindings, errors or nested URLs', () => {
    // Prepare
    const { logger, lines } = captureLogger();
    const wrapped = `https://inference.example/invocations?input_url=${encodeURIComponent(s3)}`;

    // Act
    logger.debug({ url: embedded, request: { output_url: s3, list: [s3] } }, `uploading to ${embedded}`);
    logger.child({ target: s3 }).info('child bound to a presigned URL');
    logger.error({ err: new Error(`GET ${s3} failed`) }, 'download failed');
    logger.error(new Error(`PUT ${embedded} answered 500`));
    logger.debug({ path: '/presigned/stereo-spot-input/input/x/source.mp4?method=PUT&signature=abc' }, 'request');
    logger.warn(`calling ${wrapped}`);
    const text = lines.map((line) => JSON.stringify(line)).join('\n');

    // Assess
    for (const secret of ['c2VjcmV0LXNpZ25hdHVyZQ', 'abcdef0123456789', 'AKIAEXAMPLE', 'FQoGZXIvYXdzEXAMPLE', 'signature=abc']) {
      expect(text).not.toContain(secret);
    }
    expect(lines[0]).toMatchObject({
      url: 'http://127.0.0.1:8080/presigned/stereo-spot-input/input/x/source.mp4?[signed query redacted]',
      msg: 'uploading to http://127.0.0.1:8080/presigned/stereo-spot-input/input/x/source.mp4?[signed query redacted]',
    });
    expect(lines[3]).toMatchObject({ msg: 'PUT http://127.0.0.1:8080/presigned/stereo-spot-input/input/x/source.mp4?[signed query redacted] answered 500' });
  });

  it('leaves unsigned query strings alone', () => {
    // Prepare
    const { logger, lines } = captureLogger();
    // Act
    logger.info({ path: '/api/jobs?status=completed&cursor=abc' }, 'GET /jobs?list=failed');
    // Assess
    expect(lines[0]).toMatchObject({ path: '/api/jobs?status=completed&cursor=abc', msg: 'GET /jobs?list=failed' });
  });
});

describe('log format', () => {
  it('is pretty on a terminal and JSON otherwise, unless LOG_FORMAT says', () => {
    expect(logFormatFor({}, { isTTY: true })).toBe('pretty');
    expect(logFormatFor({}, { isTTY: false })).toBe('json');
    expect(logFormatFor({ LOG_FORMAT: 'json' }, { isTTY: true })).toBe('json');
    expect(logFormatFor({ LOG_FORMAT: 'pretty' }, {})).toBe('pretty');
  });

  it('prints time, level, component and message (with its job), then the other fields', () => {
    // Prepare
    const json = JSON.stringify({
      level: 40,
      time: '2026-12-04T19:45:01.234Z',
      pid: 42,
      name: 'video-worker',
      job_id: '3f2b8c1e-6d4a-4b9e-8f00-1234567890ab',
      segment_index: 2,
      queue: 'video-worker',
      msg: 'job_id=3f2b8c1e-6d4a-4b9e-8f00-1234567890ab segment_index=2 visibility heartbeat failed',
    });

    // Act
    const line = prettyLine(`${json}\n`);

    // Assess
    expect(line).toBe(
      '19:45:01.234 WARN  video-worker       job_id=3f2b8c1e-6d4a-4b9e-8f00-1234567890ab segment_index=2 visibility heartbeat failed queue=video-worker\n',
    );
  });

  it('passes a line that is not JSON through unchanged', () => {
    expect(prettyLine('plain text')).toBe('plain text\n');
  });
});
