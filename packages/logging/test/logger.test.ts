import { Writable } from 'node:stream';
import { createLogger, forJob, logJobError } from '../src';

function captureLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: createLogger({ name: 'test', level: 'debug', destination }), lines };
}

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
