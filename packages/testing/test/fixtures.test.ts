import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { JobSchema, SegmentCompletionSchema } from '@stereo-spot/shared-types';
import { freePort } from '../src/fixtures/free-port';
import { makeJob, makeSegmentCompletion, newJobId } from '../src/fixtures/jobs';
import { makeTempDir } from '../src/fixtures/temp-dir';
import { makeTestClip } from '../src/fixtures/test-clip';

const run = promisify(execFile);

async function probe(file: string): Promise<{ streams: { codec_type: string; nb_read_frames?: string; has_b_frames?: number }[] }> {
  const ffprobe = process.env.FFPROBE_PATH?.trim() || 'ffprobe';
  const { stdout } = await run(ffprobe, ['-v', 'error', '-count_frames', '-show_streams', '-of', 'json', file]);
  return JSON.parse(stdout);
}

describe('makeTestClip', () => {
  it('makes a clip with the asked frame count, size and an audio track', async () => {
    // Prepare
    // Act
    const clip = await makeTestClip({ seconds: 1, width: 160, height: 90, fps: 12 });
    try {
      // Assess
      const { streams } = await probe(clip.path);
      const video = streams.find((stream) => stream.codec_type === 'video');
      expect(video?.nb_read_frames).toBe('12');
      expect(clip.frames).toBe(12);
      expect(streams.some((stream) => stream.codec_type === 'audio')).toBe(true);
    } finally {
      await clip.remove();
    }
  });

  it('makes a silent clip with B-frames when asked', async () => {
    // Prepare
    const dir = await makeTempDir('clip-test');
    try {
      // Act
      const clip = await makeTestClip({ seconds: 1, audio: false, bFrames: true, dir: dir.path, fileName: 'b.mp4' });
      // Assess
      const { streams } = await probe(clip.path);
      expect(clip.path).toBe(path.join(dir.path, 'b.mp4'));
      expect(streams.map((stream) => stream.codec_type)).toEqual(['video']);
      expect(streams[0]?.has_b_frames).toBeGreaterThan(0);
    } finally {
      await dir.remove();
    }
  });
});

describe('makeTempDir', () => {
  it('makes a writable folder that remove() deletes', async () => {
    // Prepare
    const dir = await makeTempDir('fixture');
    await writeFile(path.join(dir.path, 'file.txt'), 'x');
    // Act
    await dir.remove();
    // Assess
    expect(existsSync(dir.path)).toBe(false);
  });
});

describe('freePort', () => {
  it('returns a port a server can listen on', async () => {
    // Prepare
    const port = await freePort();
    const server = createServer();
    // Act
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    // Assess
    expect(port).toBeGreaterThan(0);
    await new Promise((resolve) => server.close(resolve));
  });
});

describe('record fixtures', () => {
  it('makes valid jobs and segment completions', () => {
    // Prepare
    const jobId = newJobId();
    // Act
    const job = makeJob({ job_id: jobId, status: 'chunking_in_progress' });
    const completion = makeSegmentCompletion(jobId, 3);
    // Assess
    expect(JobSchema.parse(job)).toEqual(job);
    expect(SegmentCompletionSchema.parse(completion)).toEqual(completion);
    expect(completion.output_key).toBe(`jobs/${jobId}/segments/3.mp4`);
  });
});
