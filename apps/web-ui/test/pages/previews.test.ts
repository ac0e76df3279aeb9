import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inputKey, type JobId } from '@stereo-spot/shared-types';
import { hlsPlaylistNaming, makeJob, makeTestClip, type TestClip } from '@stereo-spot/testing';
import { LimiterFullError, WorkLimiter } from '../../src/pages/work-limiter';
import { startPageServer, type PageServer } from './support';

const SECRET = 'SECRET-loopback-7a1f0c';

let server: PageServer;
let loopback: Server;
let loopbackUrl: string;
let requests: string[];
let clip: TestClip;

beforeAll(async () => {
  server = await startPageServer();
  requests = [];
  // A service only reachable from the server's machine, holding a secret.
  loopback = createServer((req, res) => {
    requests.push(req.url ?? '');
    res.end(SECRET);
  });
  await new Promise<void>((resolve) => loopback.listen(0, '127.0.0.1', resolve));
  loopbackUrl = `http://127.0.0.1:${(loopback.address() as AddressInfo).port}`;
  clip = await makeTestClip({ width: 640, height: 360, seconds: 1 });
});

afterAll(async () => {
  await new Promise<void>((resolve) => loopback.close(() => resolve()));
  await clip.remove();
  await server.close();
});

async function jobWithUpload(bytes: Buffer, status: 'failed' | 'chunking_complete'): Promise<JobId> {
  const job = makeJob({ status, created_at: Date.now(), ...(status === 'failed' ? { error: 'refused' } : {}) });
  await server.platform.jobs.create(job);
  await server.platform.inputStorage.putBytes(inputKey(job.job_id), bytes);
  return job.job_id;
}

function pngSize(png: Buffer): { width: number; height: number; colourType: number } {
  expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), colourType: png[25]! };
}

describe('previews', () => {
  it('refuses an HLS upload naming a loopback URL: no request reaches the URL, no secret in the response', async () => {
    // Prepare: even for a failed job, as the attack was shown.
    const jobId = await jobWithUpload(hlsPlaylistNaming(`${loopbackUrl}/secret.ts`), 'failed');

    // Act
    const responses = await Promise.all(
      ['source', 'depth'].map((kind) => fetch(`${server.url}/jobs/${jobId}/preview/${kind}.png`)),
    );
    const bodies = await Promise.all(responses.map((response) => response.text()));

    // Assess
    expect(responses.map((response) => response.status)).toEqual([404, 404]);
    for (const body of bodies) {
      expect(body).toContain('the format');
      expect(body).toContain('is not accepted');
      expect(body).not.toContain(SECRET);
      expect(body).not.toContain(loopbackUrl);
    }
    expect(requests).toEqual([]);
  });

  it('makes the source and depth previews of a real video from a local copy, 320 pixels wide', async () => {
    // Prepare
    const jobId = await jobWithUpload(await readFile(clip.path), 'chunking_complete');

    // Act
    const source = await fetch(`${server.url}/jobs/${jobId}/preview/source.png`);
    const depth = await fetch(`${server.url}/jobs/${jobId}/preview/depth.png`);
    const again = await fetch(`${server.url}/jobs/${jobId}/preview/source.png`);

    // Assess
    expect([source.status, depth.status, again.status]).toEqual([200, 200, 200]);
    expect(pngSize(Buffer.from(await source.arrayBuffer()))).toEqual({ width: 320, height: 180, colourType: 2 });
    expect(pngSize(Buffer.from(await depth.arrayBuffer()))).toEqual({ width: 320, height: 180, colourType: 0 });
    expect(source.headers.get('content-type')).toBe('image/png');
  });
});

describe('WorkLimiter', () => {
  it('runs at most `concurrency` tasks, queues up to `maxWaiting`, and refuses beyond', async () => {
    // Prepare
    const limiter = new WorkLimiter(1, 1);
    let release!: () => void;
    const started: string[] = [];
    const blocker = new Promise<void>((resolve) => (release = resolve));

    // Act
    const first = limiter.run(async () => {
      started.push('first');
      await blocker;
    });
    const second = limiter.run(async () => {
      started.push('second');
    });
    const third = limiter.run(async () => {
      started.push('third');
    });
    const startedWhileBlocked = [...started];
    release();
    await Promise.all([first, second]);

    // Assess
    await expect(third).rejects.toBeInstanceOf(LimiterFullError);
    expect(startedWhileBlocked).toEqual(['first']);
    expect(started).toEqual(['first', 'second']);
  });
});

describe('previews above MAX_VIDEO_PIXELS', () => {
  it('refuses a picture larger than the limit before decoding it, with the reason', async () => {
    // Prepare
    const small = await startPageServer({ previewMaxPixels: 320 * 180 });
    try {
      const job = makeJob({ status: 'failed', created_at: Date.now(), error: 'too large' });
      await small.platform.jobs.create(job);
      await small.platform.inputStorage.putBytes(inputKey(job.job_id), await readFile(clip.path));

      // Act
      const response = await fetch(`${small.url}/jobs/${job.job_id}/preview/source.png`);

      // Assess
      expect(response.status).toBe(404);
      expect(await response.text()).toContain('the video is 640x360 (230400 pixels), more than the 57600 pixels allowed');
    } finally {
      await small.close();
    }
  });
});
