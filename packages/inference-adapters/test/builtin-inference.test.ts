import { execFileSync } from 'node:child_process';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createLocalPlatform, type LocalPlatform } from '@stereo-spot/local-adapters';
import { isPermanentError } from '@stereo-spot/pipeline';
import { segmentKey, segmentOutputKey, type SegmentRef } from '@stereo-spot/shared-types';
import { convertFile } from '@stereo-spot/stereo-engine';
import { makeTestClip, makeTempDir, newJobId, type TempDir } from '@stereo-spot/testing';
import { createBuiltinInference } from '../src/builtin/builtin-inference';

let home: TempDir;
let platform: LocalPlatform;

beforeEach(async () => {
  home = await makeTempDir('builtin-inference');
  platform = createLocalPlatform({ home: home.path, publicBaseUrl: 'http://127.0.0.1:1' });
});
afterEach(async () => {
  await platform.close();
  await home.remove();
});

function frameSize(file: string): string {
  return execFileSync(
    process.env.FFPROBE_PATH || 'ffprobe',
    [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-count_frames',
      '-show_entries',
      'stream=width,height,nb_read_frames',
      '-of',
      'csv=p=0',
      file,
    ],
    { encoding: 'utf8' },
  ).trim();
}

describe('BuiltinStereoInference', () => {
  it('converts a segment from the input bucket into the output key with the job’s mode', async () => {
    // Prepare
    const clip = await makeTestClip({
      seconds: 1,
      width: 160,
      height: 90,
      fps: 12,
      audio: false,
      dir: home.path,
    });
    const ref: SegmentRef = { jobId: newJobId(), segmentIndex: 0, totalSegments: 1, mode: 'sbs' };
    await platform.inputStorage.putFile(segmentKey(ref), clip.path);
    const scratchDir = path.join(home.path, 'scratch');
    const inference = createBuiltinInference({
      inputStorage: platform.inputStorage,
      outputStorage: platform.outputStorage,
      convertFile,
      scratchDir,
      engine: { preset: 'ultrafast', depthResolution: 32, threads: 0 },
    });
    const progress: number[] = [];

    // Act
    const result = await inference.convertSegment({
      jobId: ref.jobId,
      segmentIndex: 0,
      inputKey: segmentKey(ref),
      outputKey: segmentOutputKey(ref.jobId, 0),
      mode: 'sbs',
      stereo: { divergence: 2, convergence: 0.5, anaglyph_method: 'dubois' },
      onProgress: (fraction) => progress.push(fraction),
    });

    // Assess
    expect(result.frames).toBe(12);
    const output = path.join(home.path, 'out.mp4');
    await platform.outputStorage.downloadToFile(segmentOutputKey(ref.jobId, 0), output);
    expect(frameSize(output)).toBe('320,90,12');
    expect(progress.at(-1)).toBe(1);
    expect(await readdir(scratchDir)).toEqual([]);
  });

  it('lets an unreadable segment fail permanently and writes nothing', async () => {
    // Prepare
    const ref: SegmentRef = { jobId: newJobId(), segmentIndex: 0, totalSegments: 1, mode: 'anaglyph' };
    const junk = path.join(home.path, 'junk.mp4');
    await writeFile(junk, 'not a video');
    await platform.inputStorage.putFile(segmentKey(ref), junk);
    const inference = createBuiltinInference({
      inputStorage: platform.inputStorage,
      outputStorage: platform.outputStorage,
      convertFile,
      scratchDir: path.join(home.path, 'scratch'),
    });

    // Act
    const error = await inference
      .convertSegment({
        jobId: ref.jobId,
        segmentIndex: 0,
        inputKey: segmentKey(ref),
        outputKey: segmentOutputKey(ref.jobId, 0),
        mode: 'anaglyph',
        stereo: { divergence: 2, convergence: 0.5, anaglyph_method: 'dubois' },
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );

    // Assess
    expect(isPermanentError(error)).toBe(true);
    expect(await platform.outputStorage.head(segmentOutputKey(ref.jobId, 0))).toBeUndefined();
  });
});
