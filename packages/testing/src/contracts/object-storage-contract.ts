/**
 * The ObjectStorage contract: put/get/head/list/delete, notifications of created objects, and presigned
 * PUT/GET used with plain `fetch` (what a browser or the CLI does).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { ObjectEventFormat, ObjectStorage, Queue } from '@stereo-spot/pipeline';
import { makeTempDir } from '../fixtures/temp-dir';
import { useFreshFixture, type ContractFixture, type FixtureFactory } from './fixture';

export interface ObjectStorageContractFixture extends ContractFixture {
  /** A fresh, empty bucket whose presigned URLs are reachable from this process. */
  readonly storage: ObjectStorage;
  /**
   * One notification rule configured on the bucket: created objects under prefix+suffix → queue,
   * in the platform's message format.
   */
  readonly notification: {
    readonly prefix: string;
    readonly suffix: string;
    readonly queue: Queue;
    readonly format: ObjectEventFormat;
  };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks);
}

/** The key of every object-created message on the queue until it stays empty (test events are skipped). */
async function drainCreatedKeys({ queue, format }: ObjectStorageContractFixture['notification']): Promise<string[]> {
  const keys: string[] = [];
  for (let round = 0; round < 20; round++) {
    const messages = await queue.receive({ maxMessages: 10, waitSeconds: 1 });
    if (messages.length === 0) break;
    for (const message of messages) {
      const decoded = format.decode(message.body);
      if (!decoded.ok) throw decoded.error;
      if (decoded.value.kind === 'objects-created') keys.push(...decoded.value.keys);
      await queue.delete(message.receiptHandle);
    }
  }
  return keys;
}

export function describeObjectStorageContract(
  name: string,
  makeFixture: FixtureFactory<ObjectStorageContractFixture>,
): void {
  describe(`ObjectStorage contract: ${name}`, () => {
    const fixture = useFreshFixture(makeFixture);
    const matchingKey = () => {
      const { prefix, suffix } = fixture().notification;
      return `${prefix}${randomUUID()}/source${suffix}`;
    };

    it('stores bytes and reads them back with their size; a missing key heads as undefined', async () => {
      // Prepare
      const { storage } = fixture();
      const key = 'contract/hello.txt';
      // Act
      await storage.putBytes(key, 'hello, world');
      // Assess
      expect((await readAll(await storage.getStream(key))).toString('utf8')).toBe('hello, world');
      const info = await storage.head(key);
      expect(info).toMatchObject({ key, size: 12 });
      expect(await storage.head('contract/missing.txt')).toBeUndefined();
    });

    it('uploads a file and downloads it to a file byte for byte', async () => {
      // Prepare
      const { storage } = fixture();
      const dir = await makeTempDir('storage-contract');
      try {
        const source = path.join(dir.path, 'source.bin');
        const target = path.join(dir.path, 'target.bin');
        const content = randomBytes(300 * 1024);
        await writeFile(source, content);
        // Act
        await storage.putFile('contract/blob.bin', source, { contentType: 'application/octet-stream' });
        await storage.downloadToFile('contract/blob.bin', target);
        // Assess
        expect((await readFile(target)).equals(content)).toBe(true);
      } finally {
        await dir.remove();
      }
    });

    it('a create-only putFile (ifAbsent) never replaces an object: OBJECT_EXISTS, the first bytes kept', async () => {
      // Prepare
      const { storage } = fixture();
      const dir = await makeTempDir('storage-contract');
      try {
        const first = path.join(dir.path, 'first.bin');
        const second = path.join(dir.path, 'second.bin');
        await writeFile(first, 'published first');
        await writeFile(second, 'a late writer');
        await storage.putFile('contract/once.mp4', first, { ifAbsent: true });
        // Act
        const late = storage.putFile('contract/once.mp4', second, { ifAbsent: true });
        // Assess
        await expect(late).rejects.toMatchObject({ code: 'OBJECT_EXISTS' });
        expect((await readAll(await storage.getStream('contract/once.mp4'))).toString()).toBe('published first');
      } finally {
        await dir.remove();
      }
    });

    it('replaces an object on a second put', async () => {
      // Prepare
      const { storage } = fixture();
      await storage.putBytes('contract/doc.txt', 'first version');
      // Act
      await storage.putBytes('contract/doc.txt', 'v2');
      // Assess
      expect((await readAll(await storage.getStream('contract/doc.txt'))).toString()).toBe('v2');
      expect((await storage.head('contract/doc.txt'))?.size).toBe(2);
    });

    it('refuses to read a missing object with OBJECT_NOT_FOUND', async () => {
      // Prepare
      const { storage } = fixture();
      const dir = await makeTempDir('storage-contract');
      try {
        // Act
        const streaming = storage.getStream('contract/nothing.mp4');
        const downloading = storage.downloadToFile('contract/nothing.mp4', path.join(dir.path, 'x.mp4'));
        // Assess
        await expect(streaming).rejects.toMatchObject({ code: 'OBJECT_NOT_FOUND' });
        await expect(downloading).rejects.toMatchObject({ code: 'OBJECT_NOT_FOUND' });
      } finally {
        await dir.remove();
      }
    });

    it('lists every object under a prefix in key order, and only those', async () => {
      // Prepare
      const { storage } = fixture();
      const keys = ['list/a/2.mp4', 'list/a/10.mp4', 'list/a/1.mp4', 'list/ab/x.mp4', 'list/b/1.mp4', 'other/1.mp4'];
      for (const key of keys) await storage.putBytes(key, key);
      // Act
      const underA = await storage.list('list/a/');
      const startingWithA = await storage.list('list/a');
      const none = await storage.list('list/zzz/');
      // Assess
      expect(underA.map((info) => info.key)).toEqual(['list/a/1.mp4', 'list/a/10.mp4', 'list/a/2.mp4']);
      expect(underA.map((info) => info.size)).toEqual([12, 13, 12]);
      expect(startingWithA.map((info) => info.key)).toEqual([
        'list/a/1.mp4',
        'list/a/10.mp4',
        'list/a/2.mp4',
        'list/ab/x.mp4',
      ]);
      expect(none).toEqual([]);
    });

    it('deletes an object; deleting a missing one is not an error', async () => {
      // Prepare
      const { storage } = fixture();
      await storage.putBytes('del/one.txt', '1');
      await storage.putBytes('del/two.txt', '2');
      // Act
      await storage.delete('del/one.txt');
      await storage.delete('del/never-existed.txt');
      // Assess
      expect(await storage.head('del/one.txt')).toBeUndefined();
      expect((await storage.list('del/')).map((info) => info.key)).toEqual(['del/two.txt']);
    });

    it('sends one objects-created message per created object that matches the rule, and none otherwise', async () => {
      // Prepare
      const { storage, notification } = fixture();
      const key = matchingKey();
      // Act
      await storage.putBytes(key, 'twelve bytes');
      await storage.putBytes(`${key}.txt`, 'wrong suffix');
      await storage.putBytes(`elsewhere/${randomUUID()}${notification.suffix}`, 'wrong prefix');
      // Assess
      expect(await drainCreatedKeys(notification)).toEqual([key]);
    });

    it('notifies again when the same key is written again (one message per put)', async () => {
      // Prepare
      const { storage, notification } = fixture();
      const key = matchingKey();
      // Act
      await storage.putBytes(key, 'one');
      await storage.putBytes(key, 'two');
      // Assess
      expect(await drainCreatedKeys(notification)).toEqual([key, key]);
    });

    it('accepts an upload through a presigned PUT with plain fetch, and notifies', async () => {
      // Prepare
      const { storage, notification } = fixture();
      const key = matchingKey();
      const body = randomBytes(64 * 1024);
      const presigned = await storage.presignPut(key, { expiresInSeconds: 300, maxBytes: 1024 * 1024, contentType: 'video/mp4' });
      // Act
      const response = await fetch(presigned.url, { method: presigned.method, headers: presigned.headers, body });
      await response.arrayBuffer();
      // Assess
      expect(presigned.method).toBe('PUT');
      expect(presigned.expiresAt).toBeGreaterThan(Date.now());
      expect(response.ok).toBe(true);
      expect((await readAll(await storage.getStream(key))).equals(body)).toBe(true);
      expect(await drainCreatedKeys(notification)).toEqual([key]);
    });

    it('accepts a presigned PUT of exactly the announced contentLength', async () => {
      // Prepare
      const { storage } = fixture();
      const body = randomBytes(1000);
      const presigned = await storage.presignPut('contract/sized.mp4', {
        expiresInSeconds: 300,
        maxBytes: 4096,
        contentLength: body.length,
      });
      // Act
      const response = await fetch(presigned.url, { method: 'PUT', headers: presigned.headers, body });
      await response.arrayBuffer();
      // Assess
      expect(response.ok).toBe(true);
      expect((await storage.head('contract/sized.mp4'))?.size).toBe(1000);
    });

    it('serves an object through a presigned GET, whole and by byte range', async () => {
      // Prepare
      const { storage } = fixture();
      const content = randomBytes(10_000);
      await storage.putBytes('contract/movie.mp4', content);
      const presigned = await storage.presignGet('contract/movie.mp4', {
        expiresInSeconds: 300,
        downloadFileName: 'movie_redcyan.mp4',
      });
      // Act
      const whole = await fetch(presigned.url);
      const wholeBody = Buffer.from(await whole.arrayBuffer());
      const part = await fetch(presigned.url, { headers: { Range: 'bytes=100-199' } });
      const partBody = Buffer.from(await part.arrayBuffer());
      // Assess
      expect(presigned.method).toBe('GET');
      expect(whole.status).toBe(200);
      expect(wholeBody.equals(content)).toBe(true);
      expect(part.status).toBe(206);
      expect(part.headers.get('content-range')).toBe('bytes 100-199/10000');
      expect(partBody.equals(content.subarray(100, 200))).toBe(true);
    });

    it('a presigned GET of a missing object fails with a client error', async () => {
      // Prepare
      const { storage } = fixture();
      const presigned = await storage.presignGet('contract/absent.mp4', { expiresInSeconds: 300 });
      // Act
      const response = await fetch(presigned.url);
      await response.arrayBuffer();
      // Assess
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
    });
  });
}
