import { existsSync } from 'node:fs';
import path from 'node:path';
import { makeTempDir, type TempDir } from '@stereo-spot/testing';
import { createLocalPlatform, type LocalPlatform } from '../src/platform';
import { assertValidKey } from '../src/storage/object-keys';

describe('object keys', () => {
  it.each([
    'input/0f8fad5b-d9cb-469f-a165-70867728950e/source.mp4',
    'segments/0f8fad5b-d9cb-469f-a165-70867728950e/00000_00002_anaglyph.mp4',
    'jobs/x/final.mp4',
    'a file with spaces.mp4',
    'ünïcödé/名前.mp4',
    'dots.in.names/..hidden/x..y',
  ])('accepts %j', (key) => {
    // Prepare
    // Act
    const check = () => assertValidKey(key);
    // Assess
    expect(check).not.toThrow();
  });

  it.each(['', '../escape.mp4', 'a/../../b', 'a/./b', '/absolute', 'a//b', 'trailing/', 'back\\slash', 'nul\u0000byte', 'new\nline', '..', '.'])(
    'refuses %j',
    (key) => {
      // Prepare
      // Act
      const check = () => assertValidKey(key);
      // Assess
      expect(check).toThrow(expect.objectContaining({ code: 'INVALID_OBJECT_KEY', permanent: true }));
    },
  );

  describe('through the storage', () => {
    let home: TempDir;
    let platform: LocalPlatform;
    beforeEach(async () => {
      home = await makeTempDir('keys');
      platform = createLocalPlatform({ home: home.path, publicBaseUrl: 'http://127.0.0.1:1' });
    });
    afterEach(async () => {
      await platform.close();
      await home.remove();
    });

    it('never writes, reads or presigns outside the bucket folder', async () => {
      // Prepare
      const escape = '../../escaped.txt';
      // Act
      const outcomes = await Promise.allSettled([
        platform.inputStorage.putBytes(escape, 'x'),
        platform.inputStorage.getStream(escape),
        platform.inputStorage.head(escape),
        platform.inputStorage.delete(escape),
        platform.inputStorage.list('../'),
        platform.inputStorage.presignPut(escape, { expiresInSeconds: 60, maxBytes: 10 }),
        platform.inputStorage.presignGet(escape, { expiresInSeconds: 60 }),
      ]);
      // Assess
      expect(outcomes.map((outcome) => outcome.status)).toEqual(Array(7).fill('rejected'));
      expect(existsSync(path.join(home.path, 'escaped.txt'))).toBe(false);
    });
  });
});
