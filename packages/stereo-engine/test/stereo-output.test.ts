import type { OutputMode } from '@stereo-spot/shared-types';
import {
  makeNearObjectScene,
  measureSceneOutput,
  nearObjectScene,
  sceneStereoDefects,
} from '@stereo-spot/testing';
import { convertFile } from '../src/convert/convert-file';
import { tempDir } from './support/media';

// The 3D itself, read from the output pixels: a textured object standing in front of a flat far
// wall must come out with crossed parallax relative to the wall (x_left − x_right > 0) in every
// mode, the wall with one parallax across its width, and the seconds of a video in order. Fails
// when the eyes are swapped, identical, or the frames reordered.
jest.setTimeout(120_000);

const tmp = tempDir('stereo-output-');
afterAll(() => tmp.cleanup());

const MODES: readonly OutputMode[] = ['sbs', 'half-sbs', 'tb', 'half-tb', 'cross-eyed', 'anaglyph'];

describe('the stereo output of convertFile', () => {
  const video = makeNearObjectScene({ dir: tmp.dir, fileName: 'scene.mp4', seconds: 3 });
  const image = makeNearObjectScene({ dir: tmp.dir, fileName: 'scene.png' });

  it.each(MODES)('%s video: the near object in front of a flat wall, seconds in order', async (mode) => {
    // Prepare
    const source = await video;
    const output = tmp.file(`scene-${mode}.mp4`);

    // Act
    await convertFile({ input: source.path, output, mode, divergence: nearObjectScene.divergence });

    // Assess
    const measured = await measureSceneOutput(output, mode, source);
    expect(measured).toHaveLength(3);
    expect(sceneStereoDefects(measured)).toEqual([]);
  });

  it.each(MODES)('%s image: the near object in front of a flat wall', async (mode) => {
    // Prepare
    const source = await image;
    const output = tmp.file(`scene-${mode}.png`);

    // Act
    await convertFile({ input: source.path, output, mode, divergence: nearObjectScene.divergence });

    // Assess
    const measured = await measureSceneOutput(output, mode, source);
    expect(measured).toHaveLength(1);
    expect(sceneStereoDefects(measured)).toEqual([]);
  });
});
