import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { decodeRgbFrames, type RgbFrame } from '../src/stereo/rgb-frames';
import { eyeViews, type GrayImage } from '../src/stereo/eye-views';
import { horizontalShift } from '../src/stereo/block-matching';
import { makeNearObjectScene, nearObjectScene } from '../src/stereo/near-object-scene';
import { measureSceneParallax, sceneStereoDefects, type SceneParallax } from '../src/stereo/scene-parallax';

/** A reproducible random texture (so matching has something to lock on to). */
function texture(width: number, height: number, seed = 1): GrayImage {
  const data = new Float32Array(width * height);
  let state = seed;
  for (let i = 0; i < data.length; i++) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    data[i] = state % 256;
  }
  return { width, height, data };
}

/** `image` with every row moved right by `dx` pixels (edge pixels repeated). */
function movedRight(image: GrayImage, dx: number): GrayImage {
  const data = new Float32Array(image.data.length);
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const from = Math.min(image.width - 1, Math.max(0, x - dx));
      data[y * image.width + x] = image.data[y * image.width + from] ?? 0;
    }
  }
  return { ...image, data };
}

/** An RGB frame whose pixels are given by `colour(x, y)`. */
function rgbFrame(
  width: number,
  height: number,
  colour: (x: number, y: number) => [number, number, number],
): RgbFrame {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) data.set(colour(x, y), (y * width + x) * 3);
  return { index: 0, width, height, data };
}

describe('horizontalShift', () => {
  it('measures x_left − x_right: positive when the left eye sees the content further right', () => {
    // Prepare
    const right = texture(80, 20);
    const left = movedRight(right, 3);
    const block = { x: 30, y: 4, width: 16, height: 12 };

    // Act
    const crossed = horizontalShift(left, right, block, 8);
    const uncrossed = horizontalShift(right, left, block, 8);

    // Assess
    expect(crossed.shift).toBeCloseTo(3, 1);
    expect(uncrossed.shift).toBeCloseTo(-3, 1);
    expect(crossed.correlation).toBeGreaterThan(0.99);
  });

  it('reports a low correlation when the eyes show different pictures', () => {
    // Act
    const match = horizontalShift(
      texture(80, 20, 1),
      texture(80, 20, 2),
      { x: 30, y: 4, width: 16, height: 12 },
      8,
    );

    // Assess
    expect(match.correlation).toBeLessThan(0.5);
  });

  it('refuses a block outside the picture', () => {
    expect(() =>
      horizontalShift(texture(20, 10), texture(20, 10), { x: 15, y: 0, width: 10, height: 5 }, 2),
    ).toThrow(/outside the 20x10 eye picture/);
  });
});

describe('eyeViews', () => {
  // Left half grey level 10, right half 200: which half is which eye depends on the mode.
  const sideBySide = rgbFrame(8, 4, (x) => (x < 4 ? [10, 10, 10] : [200, 200, 200]));
  const topBottom = rgbFrame(4, 8, (_x, y) => (y < 4 ? [10, 10, 10] : [200, 200, 200]));

  it('takes the left eye from the left half (sbs) and from the right half (cross-eyed)', () => {
    expect([eyeViews(sideBySide, 'sbs').left.data[0], eyeViews(sideBySide, 'sbs').right.data[0]]).toEqual([
      10, 200,
    ]);
    expect([
      eyeViews(sideBySide, 'cross-eyed').left.data[0],
      eyeViews(sideBySide, 'cross-eyed').right.data[0],
    ]).toEqual([200, 10]);
    expect(eyeViews(sideBySide, 'half-sbs')).toMatchObject({
      scaleX: 2,
      scaleY: 1,
      left: { width: 4, height: 4 },
    });
  });

  it('takes the left eye from the top half (tb, half-tb)', () => {
    expect([eyeViews(topBottom, 'tb').left.data[0], eyeViews(topBottom, 'tb').right.data[0]]).toEqual([
      10, 200,
    ]);
    expect(eyeViews(topBottom, 'half-tb')).toMatchObject({
      scaleX: 1,
      scaleY: 2,
      left: { width: 4, height: 4 },
    });
  });

  it('reads an anaglyph as red = left eye, cyan (green and blue) = right eye', () => {
    const anaglyph = rgbFrame(2, 2, () => [90, 20, 40]);

    const eyes = eyeViews(anaglyph, 'anaglyph');

    expect([eyes.left.data[0], eyes.right.data[0]]).toEqual([90, 30]);
  });
});

describe('sceneStereoDefects', () => {
  const good = (second: number): SceneParallax => ({
    frame: second * 24 + 12,
    mode: 'sbs',
    object: 3,
    wall: [-4.5, -4.6, -4.4, -4.5],
    relative: 7.5,
    wallDeviation: 0.1,
    weakestCorrelation: 0.9,
    marker: nearObjectScene.markerLevel(second),
  });

  it('finds nothing wrong in a correct output', () => {
    expect(sceneStereoDefects([good(0), good(1), good(2)])).toEqual([]);
  });

  it('names swapped or identical eyes, an uneven wall and seconds out of order', () => {
    // Prepare
    const swapped = { ...good(0), object: -3, wall: [4.5, 4.6, 4.4, 4.5], relative: -7.5 };
    const identical = { ...good(1), object: 0, wall: [0, 0, 0, 0], relative: 0 };
    const uneven = { ...good(2), wall: [-4.5, -1, -4.4, -4.5], wallDeviation: 3.5 };
    const reordered = [good(1), good(0)].map((m, second) => ({ ...m, frame: second * 24 + 12 }));

    // Act
    const defects = [...sceneStereoDefects([swapped, identical, uneven]), ...sceneStereoDefects(reordered)];

    // Assess
    expect(defects).toEqual([
      expect.stringContaining("sbs frame 12: the near object's parallax relative to the wall is -7.5 px"),
      expect.stringContaining("sbs frame 36: the near object's parallax relative to the wall is 0 px"),
      'sbs frame 60: the flat wall has different parallaxes at one height (-4.5 / -1 / -4.4 / -4.5 px)',
      'sbs frame 12: shows the marker of source second 1 in output second 0 (content out of order)',
      'sbs frame 36: shows the marker of source second 0 in output second 1 (content out of order)',
    ]);
  });
});

describe('the near-object scene', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'stereo-spot-scene-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('shows each second its own marker, and no parallax when both eyes are the source', async () => {
    // Prepare
    const scene = await makeNearObjectScene({ dir, fileName: 'scene.mp4', seconds: 2, fps: 10 });

    // Act
    const frames = await decodeRgbFrames(scene.path, [5, 15]);
    // The source read as an anaglyph: red and cyan show the same picture.
    const measured = frames.map((frame) => measureSceneParallax(frame, 'anaglyph'));

    // Assess
    expect(scene).toMatchObject({ frames: 20, fps: 10, seconds: 2 });
    // Each second's marker within 3 levels of its grey (what x264 and yuv -> rgb change).
    const markerErrors = measured.map((m, second) =>
      Math.abs(m.marker - nearObjectScene.markerLevel(second)),
    );
    expect(markerErrors.map((error) => error <= 3)).toEqual([true, true]);
    expect(measured.map((m) => Math.abs(m.relative) < 0.1)).toEqual([true, true]);
    // Identical eyes: the object is not in front, and that is all that is wrong.
    expect(sceneStereoDefects(measured)).toEqual([
      expect.stringMatching(
        /^anaglyph frame 5: the near object's parallax relative to the wall is -?0(\.\d+)? px/,
      ),
      expect.stringMatching(
        /^anaglyph frame 15: the near object's parallax relative to the wall is -?0(\.\d+)? px/,
      ),
    ]);
  });
});
