import { randomUUID } from 'node:crypto';
import { createLogger } from '@stereo-spot/logging';
import { createLocalPlatform, type LocalPlatform } from '@stereo-spot/local-adapters';
import { systemClock } from '@stereo-spot/pipeline';
import { finalKey, inputKey, segmentOutputKey, toJobId, type JobView } from '@stereo-spot/shared-types';
import { makeTempDir, type TempDir } from '@stereo-spot/testing';
import { FfmpegMediaProcessor } from '@stereo-spot/media-worker';
import { startWebServer, type WebServer } from '../src/server';

let home: TempDir;
let platform: LocalPlatform;
let server: WebServer;

/** The JSON API's dependencies over the test's embedded platform. */
function apiDeps(maxUploadBytes = 1_000_000) {
  return {
    ...platform,
    logger: createLogger({ name: 'web-ui-test', level: 'silent' }),
    clock: systemClock,
    ids: { newJobId: () => randomUUID() },
    maxUploadBytes,
    uploadUrlTtlSeconds: 600,
    downloadUrlTtlSeconds: 600,
    eventsPollMs: 20,
    previews: { media: new FfmpegMediaProcessor(), concurrency: 2, maxPixels: 7680 * 4320, scratchDir: `${home.path}/previews` },
  };
}

async function start(options: { authToken?: string; maxUploadBytes?: number } = {}) {
  home = await makeTempDir('web-ui-api');
  let url = 'http://127.0.0.1:1';
  platform = createLocalPlatform({ home: home.path, publicBaseUrl: () => url, pollIntervalMs: 20 });
  server = await startWebServer({
    api: apiDeps(options.maxUploadBytes),
    host: '127.0.0.1',
    port: 0,
    logger: createLogger({ name: 'web-ui-test', level: 'silent' }),
    passthrough: [platform.handlePresignedRequest],
    ...(options.authToken !== undefined ? { authToken: options.authToken } : {}),
  });
  url = server.url;
}

afterEach(async () => {
  await server?.close();
  await platform?.close();
  await home?.remove();
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function createJob(body: Record<string, unknown> = {}) {
  const response = await post('/api/jobs', { file_name: 'beach walk.mov', mode: 'sbs', ...body });
  expect(response.status).toBe(201);
  return (await response.json()) as {
    job: JobView;
    upload: { url: string; headers: Record<string, string> };
  };
}

/** Moves a job through the pipeline's states with the real stores, as the workers would. */
async function completeJob(jobId: string, segments: number) {
  const id = toJobId(jobId);
  await platform.jobs.transition(id, 'chunking_in_progress');
  await platform.jobs.transition(id, 'chunking_complete', { total_segments: segments });
  for (let i = 0; i < segments; i += 1) {
    await platform.segmentCompletions.put({
      job_id: id,
      segment_index: i,
      output_key: segmentOutputKey(id, i),
      completed_at: Date.now(),
    });
  }
  await platform.outputStorage.putBytes(finalKey(id), 'the 3D video');
  await platform.jobs.transition(id, 'completed', { completed_at: Date.now() });
}

describe('web-ui JSON API on the embedded platform', () => {
  it('creates a job and takes its upload on the presigned URL, which queues chunking', async () => {
    // Prepare
    await start();

    // Act
    const created = await createJob({ divergence: 3.5 });
    const upload = await fetch(created.upload.url, {
      method: 'PUT',
      headers: { ...created.upload.headers, 'Content-Type': 'video/quicktime' },
      body: 'video bytes',
    });
    const shown = (await (await fetch(`${server.url}/api/jobs/${created.job.job_id}`)).json()) as JobView;

    // Assess
    expect(created.job).toMatchObject({
      status: 'created',
      mode: 'sbs',
      source_file_name: 'beach walk.mov',
      stereo: { divergence: 3.5, convergence: 0.5 },
      progress: { stage: 'waiting for upload', segments_done: 0, fraction: 0 },
    });
    expect(created.upload.url.startsWith(server.url)).toBe(true);
    expect(upload.status).toBeLessThan(300);
    expect(await platform.inputStorage.head(inputKey(toJobId(created.job.job_id)))).toMatchObject({
      size: 11,
    });
    expect((await platform.queues.chunking.queue.depth()).visible).toBe(1);
    expect(shown.job_id).toBe(created.job.job_id);
  });

  it('answers validation errors with 400 and a readable message, and bad bodies with 400/413/415', async () => {
    // Prepare
    await start({ maxUploadBytes: 1000 });

    // Act
    const badMode = await post('/api/jobs', { file_name: 'a.mp4', mode: 'hologram' });
    const tooBig = await post('/api/jobs', { file_name: 'a.mp4', file_size: 1001 });
    const notJson = await post('/api/jobs', '{"file_name":');
    const wrongType = await post('/api/jobs', 'x', { 'Content-Type': 'text/plain' });
    const huge = await post('/api/jobs', { file_name: 'a'.repeat(70_000) });
    const badId = await fetch(`${server.url}/api/jobs/not-a-uuid`);

    // Assess
    expect(badMode.status).toBe(400);
    expect(await badMode.json()).toEqual({
      error: { code: 'INVALID_REQUEST', message: expect.stringMatching(/^mode: /) },
    });
    expect(tooBig.status).toBe(400);
    expect(((await tooBig.json()) as { error: { message: string } }).error.message).toBe(
      'file_size: 1001 bytes is over the upload limit of 1000 bytes',
    );
    expect(notJson.status).toBe(400);
    expect(wrongType.status).toBe(415);
    expect(huge.status).toBe(413);
    expect(badId.status).toBe(400);
    expect(await platform.jobs.listInProgress({ limit: 10 })).toEqual({ items: [] });
  });

  it('lists in-progress and completed jobs newest first, page by page', async () => {
    // Prepare
    await start();
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      ids.push((await createJob()).job.job_id);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await completeJob(ids[0]!, 1);

    // Act
    const first = (await (await fetch(`${server.url}/api/jobs?limit=1`)).json()) as {
      jobs: JobView[];
      next_cursor?: string;
    };
    const second = (await (
      await fetch(`${server.url}/api/jobs?limit=1&cursor=${encodeURIComponent(first.next_cursor!)}`)
    ).json()) as { jobs: JobView[]; next_cursor?: string };
    const completed = (await (await fetch(`${server.url}/api/jobs?status=completed`)).json()) as {
      jobs: JobView[];
    };
    const badList = await fetch(`${server.url}/api/jobs?status=everything`);

    // Assess
    expect(first.jobs.map((j) => j.job_id)).toEqual([ids[2]]);
    expect(second.jobs.map((j) => j.job_id)).toEqual([ids[1]]);
    expect(second.next_cursor).toBeUndefined();
    expect(completed.jobs.map((j) => j.job_id)).toEqual([ids[0]]);
    expect(badList.status).toBe(400);
    expect(await badList.json()).toEqual({
      error: { code: 'INVALID_REQUEST', message: 'status must be one of in-progress, completed, failed' },
    });
  });

  it('shows a completed job with segments done and a download named with the VR suffix', async () => {
    // Prepare
    await start();
    const { job } = await createJob();
    await completeJob(job.job_id, 3);

    // Act
    const view = (await (await fetch(`${server.url}/api/jobs/${job.job_id}`)).json()) as JobView;
    const downloaded = await fetch(view.download_url!);

    // Assess
    expect(view).toMatchObject({
      status: 'completed',
      total_segments: 3,
      progress: { stage: 'completed', segments_done: 3, total_segments: 3, fraction: 1 },
      download_file_name: 'beach walk_LRF_Full_SBS.mp4',
    });
    expect(downloaded.status).toBe(200);
    expect(downloaded.headers.get('content-disposition')).toContain('beach walk_LRF_Full_SBS.mp4');
    expect(await downloaded.text()).toBe('the 3D video');
  });

  it('streams progress over SSE until the job completes', async () => {
    // Prepare
    await start();
    const { job } = await createJob();
    const response = await fetch(`${server.url}/api/jobs/${job.job_id}/events`);
    const events: JobView[] = [];
    const reading = (async () => {
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').find((line) => line.startsWith('data: '));
          if (block.includes('event: job') && data) events.push(JSON.parse(data.slice(6)) as JobView);
        }
      }
    })();

    // Act: the workers' writes, one by one, with time for the stream to notice each
    const id = toJobId(job.job_id);
    const settle = () => new Promise((resolve) => setTimeout(resolve, 150));
    await settle();
    await platform.jobs.transition(id, 'chunking_in_progress');
    await settle();
    await platform.jobs.transition(id, 'chunking_complete', { total_segments: 2 });
    await settle();
    await platform.segmentCompletions.put({
      job_id: id,
      segment_index: 0,
      output_key: segmentOutputKey(id, 0),
      completed_at: 1,
    });
    await settle();
    await platform.segmentCompletions.put({
      job_id: id,
      segment_index: 1,
      output_key: segmentOutputKey(id, 1),
      completed_at: 2,
    });
    await settle();
    await platform.outputStorage.putBytes(finalKey(id), 'x');
    await platform.jobs.transition(id, 'completed', { completed_at: Date.now() });
    await reading;

    // Assess
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(events.map((e) => [e.progress.stage, e.progress.segments_done])).toEqual([
      ['waiting for upload', 0],
      ['splitting into segments', 0],
      ['converting segments', 0],
      ['converting segments', 1],
      ['joining segments', 2],
      ['completed', 2],
    ]);
    expect(events.at(-1)?.download_url).toBeDefined();
  });

  it('deletes a job with its objects and records', async () => {
    // Prepare
    await start();
    const { job, upload } = await createJob();
    await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: 'video' });
    await completeJob(job.job_id, 2);
    const id = toJobId(job.job_id);

    // Act
    const deleted = await fetch(`${server.url}/api/jobs/${job.job_id}`, { method: 'DELETE' });
    const again = await fetch(`${server.url}/api/jobs/${job.job_id}`, { method: 'DELETE' });
    const shown = await fetch(`${server.url}/api/jobs/${job.job_id}`);

    // Assess
    expect([deleted.status, again.status, shown.status]).toEqual([204, 404, 404]);
    expect(await platform.inputStorage.list(`input/${id}/`)).toEqual([]);
    expect(await platform.outputStorage.list(`jobs/${id}/`)).toEqual([]);
    expect(await platform.segmentCompletions.count(id)).toBe(0);
    expect(await platform.jobs.get(id)).toBeUndefined();
  });

  it('refuses to start on a port that is taken, saying how to choose another', async () => {
    // Prepare
    await start();
    const port = Number(new URL(server.url).port);

    // Act
    const second = startWebServer({
      api: apiDeps(),
      host: '127.0.0.1',
      port,
      logger: createLogger({ name: 'web-ui-test', level: 'silent' }),
    });

    // Assess
    await expect(second).rejects.toMatchObject({
      name: 'WebUiError',
      code: 'ADDRESS_IN_USE',
      message: `127.0.0.1:${port} is already in use: stop the program listening there, or choose another port with PORT=<n>`,
    });
  });

  it('reports health, unknown paths and wrong methods', async () => {
    // Prepare
    await start();

    // Act
    const health = await fetch(`${server.url}/healthz`);
    const missing = await fetch(`${server.url}/api/nothing`);
    const wrongMethod = await fetch(`${server.url}/api/jobs`, { method: 'PUT' });

    // Assess
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }]);
    expect(missing.status).toBe(404);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST, GET');
  });

  it('requires the bearer token on the API when one is configured', async () => {
    // Prepare
    await start({ authToken: 'correct-horse-battery-staple' });

    // Act
    const anonymous = await fetch(`${server.url}/api/jobs`);
    const wrong = await fetch(`${server.url}/api/jobs`, { headers: { Authorization: 'Bearer nope' } });
    const right = await fetch(`${server.url}/api/jobs`, {
      headers: { Authorization: 'Bearer correct-horse-battery-staple' },
    });
    const health = await fetch(`${server.url}/healthz`);

    // Assess
    expect([anonymous.status, wrong.status, right.status, health.status]).toEqual([401, 401, 200, 200]);
    expect(((await anonymous.json()) as { error: { message: string } }).error.message).toContain(
      'access token',
    );
  });
});
