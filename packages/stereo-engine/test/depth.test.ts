import { StereoEngineError } from '../src/errors';
import { estimateDepth } from '../src/depth/api';
import { DepthEstimator } from '../src/depth/estimator';
import type { DepthField } from '../src/depth/field';
import { boxMean, GuidedFilter, percentiles } from '../src/depth/filters';
import { evaluateField } from '../src/depth/api';
import { createAnalysisGrid, gridSizeFor } from '../src/depth/grid';
import { MotionFollower } from '../src/depth/motion-follow';
import { gbrpFromRgb } from '../src/frame/planar';

/** A synthetic outdoor picture: sky above row `horizon`, textured ground below, a box standing on it. */
function outdoorScene(width: number, height: number, horizon: number, shift = 0): Uint8Array {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = 3 * (y * width + x);
      let color: [number, number, number];
      if (x >= 40 + shift && x < 70 + shift && y >= 30 && y < 80) color = [200, 40, 40];
      else if (y < horizon) color = [130, 170, 230];
      else {
        const grain = ((x * 7 + y * 13) % 17) * 3;
        color = [90 + grain, 110 + grain, 60];
      }
      rgb.set(color, i);
    }
  }
  return rgb;
}

describe('grid filters', () => {
  it('boxMean equals the naive window mean, borders included', () => {
    const width = 13;
    const height = 7;
    const src = Float32Array.from({ length: width * height }, (_, i) => Math.sin(i * 1.7) + (i % 5));
    const out = new Float32Array(width * height);

    boxMean(src, width, height, 2, out, new Float32Array(width * height));

    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let sum = 0;
        let count = 0;
        for (let yy = Math.max(0, y - 2); yy <= Math.min(height - 1, y + 2); yy++) {
          for (let xx = Math.max(0, x - 2); xx <= Math.min(width - 1, x + 2); xx++) {
            sum += src[yy * width + xx]!;
            count++;
          }
        }
        expect(out[y * width + x]).toBeCloseTo(sum / count, 4);
      }
    }
  });

  it('the guided filter keeps a step that the guide has and smooths noise that it lacks', () => {
    const width = 40;
    const height = 10;
    const guide = Float32Array.from({ length: width * height }, (_, i) => (i % width < 20 ? 0.2 : 0.8));
    const input = Float32Array.from({ length: width * height }, (_, i) => (i % width < 20 ? 0 : 1) + (i % 3 === 0 ? 0.05 : -0.025));
    const out = new Float32Array(width * height);

    new GuidedFilter(width, height).filter(guide, input, 4, 1e-3, out, new Float32Array(width * height), new Float32Array(width * height));

    const row = 5 * width;
    expect(out[row + 18]).toBeLessThan(0.1);
    expect(out[row + 21]).toBeGreaterThan(0.9);
  });

  it('percentiles come from the histogram within a bin', () => {
    const values = Float32Array.from({ length: 1001 }, (_, i) => i / 1000);

    const [p10, p50, p90] = percentiles(values, [0.1, 0.5, 0.9]);

    expect(p10).toBeCloseTo(0.1, 2);
    expect(p50).toBeCloseTo(0.5, 2);
    expect(p90).toBeCloseTo(0.9, 2);
  });

  it('grid cells are square as displayed, also for squeezed frames', () => {
    expect(gridSizeFor(1280, 720)).toEqual({ gridWidth: 256, gridHeight: 144, cellWidth: 5, cellHeight: 5 });
    const squeezed = gridSizeFor(640, 720, 256, 2);
    expect(squeezed.cellHeight).toBe(5);
    expect(squeezed.cellWidth * 2).toBeGreaterThanOrEqual(5);
  });
});

describe('estimateDepth', () => {
  it('returns a full-size map in [0, 1] with the ground nearer at the bottom and the sky far', () => {
    const width = 160;
    const height = 100;

    const depth = estimateDepth({ width, height, data: outdoorScene(width, height, 35) });

    expect(depth.data.length).toBe(width * height);
    expect(Math.min(...depth.data)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...depth.data)).toBeLessThanOrEqual(1);
    const at = (x: number, y: number): number => depth.data[y * width + x]!;
    expect(at(120, 95)).toBeGreaterThan(at(120, 60));
    expect(at(120, 60)).toBeGreaterThan(at(120, 10));
  });

  it('gives a standing object the depth of its base rather than of the sky behind it', () => {
    const width = 160;
    const height = 100;

    const depth = estimateDepth({ width, height, data: outdoorScene(width, height, 35) });

    // The box's top (row 32) is above the horizon: without the carry it would be as far as the sky.
    const boxTop = depth.data[32 * width + 55]!;
    const skyBeside = depth.data[32 * width + 120]!;
    expect(boxTop).toBeGreaterThan(skyBeside + 0.2);
  });

  it('rejects a frame whose data does not match its size', () => {
    expect(() => estimateDepth({ width: 10, height: 10, data: new Uint8Array(5) })).toThrow(StereoEngineError);
    expect(() => estimateDepth({ width: 0, height: 10, data: new Uint8Array(0) })).toThrow(/size/);
  });
});

/** The estimator overwrites its field on every call: tests that compare frames keep copies. */
function copyOf(field: DepthField): DepthField {
  return { ...field, a: field.a.slice(), b: field.b.slice() };
}

describe('DepthEstimator over time', () => {
  it('hands out the same field arrays every frame, estimated or reused (no allocation per frame)', () => {
    const width = 160;
    const height = 100;
    const scene = gbrpFromRgb(outdoorScene(width, height, 35), width, height);
    const estimator = new DepthEstimator(scene.layout, { refreshInterval: 2 });

    const fields = [1, 2, 3].map(() => estimator.estimate(scene.data));

    expect(fields[1]!.a).toBe(fields[0]!.a);
    expect(fields[2]!.b).toBe(fields[0]!.b);
  });

  it('keeps a static scene stable and declares a cut when the picture changes completely', () => {
    const width = 160;
    const height = 100;
    const scene = gbrpFromRgb(outdoorScene(width, height, 35), width, height);
    const other = gbrpFromRgb(outdoorScene(width, height, 35).map((v) => 255 - v), width, height);
    const estimator = new DepthEstimator(scene.layout);

    const first = copyOf(estimator.estimate(scene.data));
    const second = copyOf(estimator.estimate(scene.data));
    const secondCut = estimator.lastDiagnostics?.sceneCut;
    estimator.estimate(other.data);
    const cut = estimator.lastDiagnostics?.sceneCut;

    let change = 0;
    for (let i = 0; i < first.b.length; i++) change += Math.abs(first.b[i]! - second.b[i]!);
    expect(change / first.b.length).toBeLessThan(0.01);
    expect(secondCut).toBe(false);
    expect(cut).toBe(true);
  });
});

describe('DepthEstimator refresh interval', () => {
  it('reuses the last fit between refreshes but re-estimates at once after a cut', () => {
    const width = 160;
    const height = 100;
    const scene = gbrpFromRgb(outdoorScene(width, height, 35), width, height);
    const moved = gbrpFromRgb(outdoorScene(width, height, 35, 6), width, height);
    const other = gbrpFromRgb(outdoorScene(width, height, 35).map((v) => 255 - v), width, height);
    const estimator = new DepthEstimator(scene.layout, { refreshInterval: 2 });

    const first = copyOf(estimator.estimate(scene.data));
    const reused = copyOf(estimator.estimate(moved.data));
    const refreshed = copyOf(estimator.estimate(moved.data));
    const afterCut = copyOf(estimator.estimate(other.data));
    const cut = estimator.lastDiagnostics?.sceneCut;

    // Between refreshes every cell keeps the first fit's coefficients, or (where the box moved)
    // takes those of a cell at most 4 cells away.
    const { gridWidth } = estimator.size;
    const fromFirstFit = (i: number): boolean => {
      const x = i % gridWidth;
      for (let dy = -4; dy <= 4; dy++) {
        for (let dx = -4; dx <= 4; dx++) {
          const j = i + dy * gridWidth + dx;
          if (x + dx < 0 || x + dx >= gridWidth || j < 0 || j >= first.b.length) continue;
          if (first.a[j] === reused.a[i] && first.b[j] === reused.b[i]) return true;
        }
      }
      return false;
    };
    const followed = Array.from(reused.b).filter((value, i) => value !== first.b[i]).length;
    expect(Array.from(reused.b).every((_, i) => fromFirstFit(i))).toBe(true);
    expect(followed).toBeGreaterThan(0);
    expect(followed).toBeLessThan(0.1 * first.b.length);
    expect(Array.from(refreshed.b)).not.toEqual(Array.from(first.b));
    expect(cut).toBe(true);
    expect(Array.from(afterCut.b)).not.toEqual(Array.from(refreshed.b));
  });
});

describe('DepthEstimator following motion', () => {
  it('a box moving between estimates keeps its depth where it enters, instead of the ground behind', () => {
    // Prepare: the box (x 40..69) moves 3 px right, within the 4 cells searched: columns 70..72
    // of its rows were ground and are now box.
    const width = 160;
    const height = 100;
    const shift = 3;
    const scene = gbrpFromRgb(outdoorScene(width, height, 35), width, height);
    const moved = gbrpFromRgb(outdoorScene(width, height, 35, shift), width, height);
    const estimator = new DepthEstimator(scene.layout, { refreshInterval: 2 });
    const first = copyOf(estimator.estimate(scene.data));
    const before = evaluateField(scene.data, scene.layout, first);

    // Act: the frame between refreshes, and the first fit applied to it as it was (no following).
    const between = evaluateField(moved.data, moved.layout, estimator.estimate(moved.data));
    const stale = evaluateField(moved.data, moved.layout, first);

    // Assess: where the box entered, its depth is what the box had there before it moved.
    let followedError = 0;
    let staleError = 0;
    for (let y = 35; y < 75; y++) {
      for (let x = 70; x < 70 + shift; x++) {
        const boxDepth = before[y * width + x - shift]!;
        followedError += Math.abs(between[y * width + x]! - boxDepth);
        staleError += Math.abs(stale[y * width + x]! - boxDepth);
      }
    }
    expect(followedError).toBeLessThan(0.25 * staleError);
  });

  it('MotionFollower points a changed cell at the nearby cell of the closest colour, and leaves still cells alone', () => {
    // Prepare: a 12×8 grid, one red cell that moves from (3, 4) to (5, 4).
    const size = { gridWidth: 12, gridHeight: 8, cellWidth: 1, cellHeight: 1 };
    const before = createAnalysisGrid(size);
    const after = createAnalysisGrid(size);
    for (const grid of [before, after]) {
      grid.luma.fill(0.5);
      grid.cb.fill(0);
      grid.cr.fill(0);
    }
    const paint = (grid: typeof before, i: number): void => {
      grid.luma[i] = 0.3;
      grid.cr[i] = 0.4;
    };
    paint(before, 4 * 12 + 3);
    paint(after, 4 * 12 + 5);
    const follower = new MotionFollower(12, 8, 0.04);

    // Act
    const withoutReference = follower.follow(after);
    follower.remember(before);
    const followed = follower.follow(after);

    // Assess
    expect(withoutReference).toBe(false);
    expect(followed).toBe(true);
    expect(follower.source[4 * 12 + 5]).toBe(4 * 12 + 3);
    expect(follower.mismatch[4 * 12 + 5]).toBe(0);
    expect(follower.source[4 * 12 + 3]).not.toBe(4 * 12 + 3); // uncovered: a background cell nearby
    expect(follower.source[0]).toBe(0);
    expect(follower.source[7 * 12 + 11]).toBe(7 * 12 + 11);
  });
});
