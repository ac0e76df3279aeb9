import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { inputKey } from '@stereo-spot/shared-types';
import { makeJob, makeTempDir, type TempDir } from '@stereo-spot/testing';
import { createLocalPlatform, type LocalPlatform } from '../src/platform';
import { parseRange } from '../src/storage/presigned-handler';
import { startPresignedServer, type PresignedServer } from './support/presigned-server';

describe('presigned URLs served by handlePresignedRequest', () => {
  let home: TempDir;
  let platform: LocalPlatform;
  let server: PresignedServer;
  let now: number;

  beforeEach(async () => {
    home = await makeTempDir('presigned');
    now = Date.now();
    let baseUrl = '';
    platform = createLocalPlatform({
      home: home.path,
      publicBaseUrl: () => baseUrl,
      clock: { now: () => now },
      visibilityTimeoutSeconds: 1,
    });
    server = await startPresignedServer(() => platform.handlePresignedRequest);
    baseUrl = server.baseUrl;
  });
  afterEach(async () => {
    await server.close();
    await platform.close();
    await home.remove();
  });

  /** The source key of a real job waiting for its upload (status `created`). */
  async function sourceKeyOfNewJob(): Promise<string> {
    const job = makeJob();
    await platform.jobs.create(job);
    return inputKey(job.job_id);
  }

  async function putThrough(url: string, body: Uint8Array | string, headers: Record<string, string> = {}) {
    const response = await fetch(url, { method: 'PUT', body, headers });
    return { status: response.status, text: await response.text() };
  }

  it('serves a download with Content-Type video/mp4 and an attachment name', async () => {
    // Prepare
    await platform.outputStorage.putBytes('jobs/x/final.mp4', 'mp4 bytes');
    const { url } = await platform.outputStorage.presignGet('jobs/x/final.mp4', {
      expiresInSeconds: 60,
      downloadFileName: 'Beach walk_redcyan.mp4',
    });
    // Act
    const response = await fetch(url);
    // Assess
    expect(await response.text()).toBe('mp4 bytes');
    expect(response.headers.get('content-type')).toBe('video/mp4');
    expect(response.headers.get('accept-ranges')).toBe('bytes');
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="Beach walk_redcyan.mp4"; filename*=UTF-8''Beach%20walk_redcyan.mp4`,
    );
  });

  it('serves playback without Content-Disposition, and HEAD without a body', async () => {
    // Prepare
    await platform.outputStorage.putBytes('jobs/x/final.mp4', '0123456789');
    const { url } = await platform.outputStorage.presignGet('jobs/x/final.mp4', { expiresInSeconds: 60 });
    // Act
    const head = await fetch(url, { method: 'HEAD' });
    const get = await fetch(url);
    // Assess
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('10');
    expect(await head.text()).toBe('');
    expect(get.headers.get('content-disposition')).toBeNull();
    expect(await get.text()).toBe('0123456789');
  });

  it('answers a suffix range and refuses a range past the end with 416', async () => {
    // Prepare
    await platform.outputStorage.putBytes('jobs/x/final.mp4', '0123456789');
    const { url } = await platform.outputStorage.presignGet('jobs/x/final.mp4', { expiresInSeconds: 60 });
    // Act
    const tail = await fetch(url, { headers: { Range: 'bytes=-3' } });
    const beyond = await fetch(url, { headers: { Range: 'bytes=20-30' } });
    // Assess
    expect(tail.status).toBe(206);
    expect(await tail.text()).toBe('789');
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe('bytes */10');
    await beyond.text();
  });

  it('refuses an expired URL with 403 and a readable reason', async () => {
    // Prepare
    await platform.outputStorage.putBytes('jobs/x/final.mp4', 'data');
    const { url } = await platform.outputStorage.presignGet('jobs/x/final.mp4', { expiresInSeconds: 60 });
    now += 61_000;
    // Act
    const response = await fetch(url);
    // Assess
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: { code: 'URL_EXPIRED', message: 'this link has expired' } });
  });

  it.each([
    ['another key', (url: URL) => (url.pathname = url.pathname.replace('final.mp4', 'other.mp4'))],
    ['a later expiry', (url: URL) => url.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 1e9))],
    ['another method', (url: URL) => url.searchParams.set('method', 'PUT')],
    ['a download name added', (url: URL) => url.searchParams.set('download_name', 'x.mp4')],
    [
      'a changed signature',
      (url: URL) => {
        const signature = url.searchParams.get('signature') ?? '';
        url.searchParams.set('signature', `${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`);
      },
    ],
    ['no signature', (url: URL) => url.searchParams.delete('signature')],
  ])('refuses a URL altered to %s with 403', async (_label, alter) => {
    // Prepare
    await platform.outputStorage.putBytes('jobs/x/final.mp4', 'data');
    await platform.outputStorage.putBytes('jobs/x/other.mp4', 'other');
    const url = new URL((await platform.outputStorage.presignGet('jobs/x/final.mp4', { expiresInSeconds: 60 })).url);
    // Act
    alter(url);
    const response = await fetch(url, { method: url.searchParams.get('method') === 'PUT' ? 'PUT' : 'GET', ...(url.searchParams.get('method') === 'PUT' ? { body: 'x' } : {}) });
    // Assess
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('URL_INVALID');
  });

  it('refuses a method the URL was not signed for with 405', async () => {
    // Prepare
    const { url } = await platform.inputStorage.presignPut(await sourceKeyOfNewJob(), { expiresInSeconds: 60, maxBytes: 10 });
    // Act
    const response = await fetch(url);
    // Assess
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('PUT');
    await response.text();
  });

  it('refuses an upload over max bytes with a readable 413, stores nothing and notifies nobody', async () => {
    // Prepare
    const key = await sourceKeyOfNewJob();
    const { url } = await platform.inputStorage.presignPut(key, { expiresInSeconds: 60, maxBytes: 1000 });
    // Act
    const response = await putThrough(url, randomBytes(1001));
    // Assess
    expect(response.status).toBe(413);
    expect(JSON.parse(response.text)).toEqual({
      error: { code: 'PAYLOAD_TOO_LARGE', message: 'the upload is larger than the limit of 1000 bytes' },
    });
    expect(await platform.inputStorage.head(key)).toBeUndefined();
    expect(await platform.queues.chunking.queue.depth()).toEqual({ visible: 0, inFlight: 0 });
  });

  it('refuses a streamed upload without Content-Length once it passes max bytes, leaving no temp file', async () => {
    // Prepare
    const key = await sourceKeyOfNewJob();
    const { url } = await platform.inputStorage.presignPut(key, { expiresInSeconds: 60, maxBytes: 100_000 });
    const chunks = [randomBytes(60_000), randomBytes(60_000)];
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(next);
      },
    });
    // Act
    const response = await fetch(url, { method: 'PUT', body, duplex: 'half' } as RequestInit);
    const text = await response.text();
    // Assess
    expect(response.status).toBe(413);
    expect(text).toContain('larger than the limit of 100000 bytes');
    expect(await platform.inputStorage.head(key)).toBeUndefined();
    expect(await readdir(path.join(home.path, 'tmp'))).toEqual([]);
  });

  it('refuses an upload whose size differs from the signed contentLength', async () => {
    // Prepare
    const key = await sourceKeyOfNewJob();
    const { url } = await platform.inputStorage.presignPut(key, { expiresInSeconds: 60, maxBytes: 1000, contentLength: 10 });
    // Act
    const shorter = await putThrough(url, 'nine byte');
    // Assess
    expect(shorter.status).toBe(403);
    expect(shorter.text).toContain('exactly 10 bytes');
    expect(await platform.inputStorage.head(key)).toBeUndefined();
  });

  it('refuses presigning a contentLength above maxBytes', async () => {
    // Prepare
    const key = await sourceKeyOfNewJob();
    // Act
    const presigning = platform.inputStorage.presignPut(key, { expiresInSeconds: 60, maxBytes: 10, contentLength: 11 });
    // Assess
    await expect(presigning).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('requires the signed Content-Type', async () => {
    // Prepare
    const key = await sourceKeyOfNewJob();
    const { url, headers } = await platform.inputStorage.presignPut(key, {
      expiresInSeconds: 60,
      maxBytes: 1000,
      contentType: 'video/mp4',
    });
    // Act
    const wrong = await putThrough(url, 'data', { 'Content-Type': 'text/plain' });
    const right = await putThrough(url, 'data', headers);
    // Assess
    expect(wrong.status).toBe(403);
    expect(right.status).toBe(200);
    expect((await platform.inputStorage.head(key))?.size).toBe(4);
  });

  it('makes an upload visible only once it is complete', async () => {
    // Prepare
    const key = await sourceKeyOfNewJob();
    const { url } = await platform.inputStorage.presignPut(key, { expiresInSeconds: 60, maxBytes: 1_000_000 });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent === 1) await gate;
        if (sent === 2) return controller.close();
        sent += 1;
        controller.enqueue(randomBytes(50_000));
      },
    });
    // Act
    const uploading = fetch(url, { method: 'PUT', body, duplex: 'half' } as RequestInit);
    while ((await readdir(path.join(home.path, 'tmp')).catch(() => [])).length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const midway = { head: await platform.inputStorage.head(key), listed: await platform.inputStorage.list('input/') };
    release();
    const response = await uploading;
    await response.text();
    // Assess
    expect(midway).toEqual({ head: undefined, listed: [] });
    expect(response.status).toBe(200);
    expect((await platform.inputStorage.head(key))?.size).toBe(100_000);
  });

  it('is served by any process sharing the home (one secret)', async () => {
    // Prepare
    const other = createLocalPlatform({ home: home.path, publicBaseUrl: 'http://unused.invalid' });
    const otherServer = await startPresignedServer(() => other.handlePresignedRequest);
    try {
      await platform.outputStorage.putBytes('jobs/x/final.mp4', 'shared');
      const { url } = await platform.outputStorage.presignGet('jobs/x/final.mp4', { expiresInSeconds: 60 });
      const onOther = new URL(url);
      onOther.host = new URL(otherServer.baseUrl).host;
      // Act
      const response = await fetch(onOther);
      // Assess
      expect(await response.text()).toBe('shared');
    } finally {
      await otherServer.close();
      await other.close();
    }
  });

  it('takes a source upload once: a replayed URL is refused with 409 and queues nothing again', async () => {
    // Prepare
    const key = await sourceKeyOfNewJob();
    const { url } = await platform.inputStorage.presignPut(key, { expiresInSeconds: 600, maxBytes: 1000 });
    const first = await putThrough(url, 'first', { 'Content-Type': 'video/mp4' });
    // Act
    const replay = await putThrough(url, 'second', { 'Content-Type': 'video/mp4' });
    // Assess
    expect(first.status).toBe(200);
    expect(replay.status).toBe(409);
    expect(JSON.parse(replay.text)).toEqual({
      error: {
        code: 'UPLOAD_ALREADY_USED',
        message: 'this upload link was already used: the file is uploaded; create a new job to upload again',
      },
    });
    expect((await platform.inputStorage.head(key))?.size).toBe(5);
    expect(await platform.queues.chunking.queue.depth()).toEqual({ visible: 1, inFlight: 0 });
  });

  it('refuses a source upload once its job has left created, or is gone, saying why', async () => {
    // Prepare: the job started chunking (and the worker removed the object), another was deleted.
    const job = makeJob();
    await platform.jobs.create(job);
    const { url } = await platform.inputStorage.presignPut(inputKey(job.job_id), { expiresInSeconds: 600, maxBytes: 1000 });
    await platform.jobs.transition(job.job_id, 'chunking_in_progress');
    const gone = makeJob();
    const goneUrl = (await platform.inputStorage.presignPut(inputKey(gone.job_id), { expiresInSeconds: 600, maxBytes: 1000 })).url;
    // Act
    const replay = await putThrough(url, 'again', { 'Content-Type': 'video/mp4' });
    const orphan = await putThrough(goneUrl, 'again', { 'Content-Type': 'video/mp4' });
    // Assess
    expect(replay.status).toBe(409);
    expect(JSON.parse(replay.text).error.message).toBe(
      `job ${job.job_id} is chunking_in_progress: its upload link was already used; create a new job to upload again`,
    );
    expect(orphan.status).toBe(409);
    expect(JSON.parse(orphan.text).error.message).toBe(`job ${gone.job_id} does not exist (it was deleted)`);
    expect(await platform.inputStorage.list('input/')).toEqual([]);
    expect(await platform.queues.chunking.queue.depth()).toEqual({ visible: 0, inFlight: 0 });
  });

  it.each(['text/html', 'application/json', 'multipart/form-data; boundary=x', 'text/plain'])(
    'refuses an upload sent as %s with 415 and stores nothing',
    async (contentType) => {
      // Prepare
      const key = await sourceKeyOfNewJob();
      const { url } = await platform.inputStorage.presignPut(key, { expiresInSeconds: 60, maxBytes: 1000 });
      // Act
      const response = await putThrough(url, '<html>', { 'Content-Type': contentType });
      // Assess
      expect(response.status).toBe(415);
      expect(JSON.parse(response.text).error.message).toBe(
        `uploads are video/*, image/* or application/octet-stream, not ${JSON.stringify(contentType.split(';')[0])}`,
      );
      expect(await platform.inputStorage.head(key)).toBeUndefined();
    },
  );

  it.each(['video/quicktime', 'image/png', 'application/octet-stream', undefined])(
    'takes an upload sent as %s',
    async (contentType) => {
      // Prepare
      const key = await sourceKeyOfNewJob();
      const { url } = await platform.inputStorage.presignPut(key, { expiresInSeconds: 60, maxBytes: 1000 });
      // Act
      const response = await fetch(url, {
        method: 'PUT',
        body: new Blob(['data']),
        headers: contentType !== undefined ? { 'Content-Type': contentType } : {},
      });
      // Assess
      expect(response.status).toBe(200);
      expect((await platform.inputStorage.head(key))?.size).toBe(4);
    },
  );

  it('leaves other paths alone', async () => {
    // Prepare
    const url = `${server.baseUrl}/api/jobs`;
    // Act
    const response = await fetch(url);
    // Assess
    expect(response.status).toBe(404);
    expect(await response.text()).toBe('not a presigned path');
  });
});

describe('parseRange', () => {
  it.each([
    ['bytes=0-9', 100, { start: 0, end: 9 }],
    ['bytes=90-', 100, { start: 90, end: 99 }],
    ['bytes=90-500', 100, { start: 90, end: 99 }],
    ['bytes=-10', 100, { start: 90, end: 99 }],
    ['bytes=-500', 100, { start: 0, end: 99 }],
    ['bytes=100-', 100, 'unsatisfiable'],
    ['bytes=5-4', 100, 'unsatisfiable'],
    ['bytes=0-1,5-6', 100, undefined],
    ['items=0-1', 100, undefined],
    [undefined, 100, undefined],
  ] as const)('%s of %d bytes → %j', (header, size, expected) => {
    // Prepare
    // Act
    const range = parseRange(header, size);
    // Assess
    expect(range).toEqual(expected);
  });
});
