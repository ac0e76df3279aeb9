import { OUTPUT_MODES, type OutputMode } from '@stereo-spot/shared-types';
import { gridSizeFor } from '../src/depth/grid';
import { frameLayout, upsampleChroma420, type PlanarFormat } from '../src/frame/planar';
import { borderTaper, eyeGains, packedLayout, parallaxShift } from '../src/stereo/geometry';
import { StereoRenderer, type RenderOptions } from '../src/stereo/renderer';

const FLAT: Omit<RenderOptions, 'mode'> = {
  divergence: 0,
  convergence: 0.5,
  anaglyphMethod: 'color',
  edgeDilation: 0,
  zeroParallaxBorder: 0,
  keepSourceEye: undefined,
};

/** A frame whose every byte tells where it came from: plane p, row y, column x. */
function patternFrame(format: PlanarFormat, width: number, height: number): Uint8Array {
  const layout = frameLayout(format, width, height);
  const data = new Uint8Array(layout.byteLength);
  layout.planes.forEach((plane, p) => {
    for (let y = 0; y < plane.height; y++) {
      for (let x = 0; x < plane.width; x++) data[plane.offset + y * plane.width + x] = (p * 80 + y * 7 + x * 3) % 256;
    }
  });
  return data;
}

/** Renders with a constant depth everywhere. */
function render(format: PlanarFormat, width: number, height: number, mode: OutputMode, options: Partial<RenderOptions> = {}, depth = 0.5) {
  const layout = frameLayout(format, width, height);
  const grid = gridSizeFor(width, height, 4096);
  const n = grid.gridWidth * grid.gridHeight;
  const renderer = new StereoRenderer(layout, grid, { ...FLAT, ...options, mode });
  const frame = patternFrame(format, width, height);
  const out = new Uint8Array(renderer.outputLayout.byteLength);
  const depthOut = new Uint8Array(width * height);
  renderer.render(frame, { ...grid, a: new Float32Array(n), b: new Float32Array(n).fill(depth) }, out, depthOut);
  return { layout, frame, out, outLayout: renderer.outputLayout, depthOut };
}

function planeRow(data: Uint8Array, layout: ReturnType<typeof frameLayout>, plane: number, y: number): number[] {
  const p = layout.planes[plane]!;
  return Array.from(data.subarray(p.offset + y * p.width, p.offset + (y + 1) * p.width));
}

describe('parallax geometry', () => {
  it('uses iw3 scale: shift = divergence · 0.01 · W · 0.5', () => {
    expect(parallaxShift(2, 1920)).toBeCloseTo(19.2);
    expect(parallaxShift(0, 1920)).toBe(0);
  });

  it('gives the eyes opposite gains, or all of it to one eye', () => {
    expect(eyeGains(undefined)).toEqual({ left: 1, right: -1 });
    expect(eyeGains('left')).toEqual({ left: 0, right: -2 });
    expect(eyeGains('right')).toEqual({ left: 2, right: 0 });
  });

  it('fades parallax to zero at the side edges only when asked', () => {
    const taper = borderTaper(100, 0.1);

    expect(taper[0]).toBeLessThan(0.05);
    expect(taper[99]).toBeLessThan(0.05);
    expect(taper[50]).toBe(1);
    expect(Array.from(borderTaper(100, 0))).toEqual(new Array(100).fill(1));
  });
});

describe('packedLayout', () => {
  it.each([
    ['anaglyph', 1280, 720],
    ['sbs', 2560, 720],
    ['cross-eyed', 2560, 720],
    ['half-sbs', 1280, 720],
    ['tb', 1280, 1440],
    ['half-tb', 1280, 720],
  ] as const)('%s of 1280x720 is %ix%i', (mode, width, height) => {
    const layout = packedLayout(mode, frameLayout('yuv420p', 1280, 720));

    expect([layout.width, layout.height]).toEqual([width, height]);
  });

  it('keeps whole chroma samples per eye for odd and 2-mod-4 sizes', () => {
    expect(packedLayout('half-sbs', frameLayout('yuv420p', 854, 480)).width).toBe(852);
    expect(packedLayout('half-tb', frameLayout('yuv420p', 640, 362)).height).toBe(360);
    expect(packedLayout('half-sbs', frameLayout('gbrp', 853, 480)).width).toBe(852);
    expect(packedLayout('sbs', frameLayout('gbrp', 853, 481))).toMatchObject({ width: 1706, height: 481 });
  });
});

describe('StereoRenderer packing', () => {
  it('covers every mode with an output of the declared size', () => {
    for (const mode of OUTPUT_MODES) {
      const format: PlanarFormat = mode === 'anaglyph' ? 'gbrp' : 'yuv420p';
      const { out, outLayout } = render(format, 16, 8, mode);
      expect(out.length).toBe(outLayout.byteLength);
    }
  });

  it('sbs puts the left eye left and the right eye right, full size', () => {
    // One eye keeps the source; the right eye's pixels move left by 2·shift = 2 px at depth 1.
    const { layout, frame, out, outLayout } = render('gbrp', 20, 4, 'sbs', { divergence: 10, convergence: 0, keepSourceEye: 'left' }, 1);

    const source = planeRow(frame, layout, 0, 1);
    const packed = planeRow(out, outLayout, 0, 1);
    expect(packed.slice(0, 20)).toEqual(source);
    // parallaxShift(10, 20) = 1 px; right eye gain -2 → 2 px to the left.
    expect(packed.slice(20, 36)).toEqual(source.slice(2, 18));
  });

  it('cross-eyed swaps the eyes', () => {
    const { layout, frame, out, outLayout } = render('gbrp', 20, 4, 'cross-eyed', { divergence: 10, convergence: 0, keepSourceEye: 'left' }, 1);

    const source = planeRow(frame, layout, 0, 2);
    const packed = planeRow(out, outLayout, 0, 2);
    expect(packed.slice(20, 40)).toEqual(source);
    expect(packed.slice(0, 16)).toEqual(source.slice(2, 18));
  });

  it('tb stacks the left eye above the right eye', () => {
    const { layout, frame, out, outLayout } = render('yuv420p', 16, 8, 'tb');

    for (let y = 0; y < 8; y++) {
      expect(planeRow(out, outLayout, 0, y)).toEqual(planeRow(frame, layout, 0, y));
      expect(planeRow(out, outLayout, 0, 8 + y)).toEqual(planeRow(frame, layout, 0, y));
    }
    for (let y = 0; y < 4; y++) expect(planeRow(out, outLayout, 1, 4 + y)).toEqual(planeRow(frame, layout, 1, y));
  });

  it('half-sbs squeezes each eye to half width by averaging pixel pairs', () => {
    const { layout, frame, out, outLayout } = render('yuv420p', 16, 8, 'half-sbs');

    const source = planeRow(frame, layout, 0, 3);
    const squeezed = Array.from({ length: 8 }, (_, i) => (source[2 * i]! + source[2 * i + 1]! + 1) >> 1);
    expect(outLayout.width).toBe(16);
    expect(planeRow(out, outLayout, 0, 3)).toEqual([...squeezed, ...squeezed]);
  });

  it('half-tb squeezes each eye to half height by averaging row pairs', () => {
    const { layout, frame, out, outLayout } = render('yuv444p', 6, 8, 'half-tb');

    const top = planeRow(frame, layout, 2, 2);
    const bottom = planeRow(frame, layout, 2, 3);
    const squeezed = top.map((v, i) => (v + bottom[i]! + 1) >> 1);
    expect(planeRow(out, outLayout, 2, 1)).toEqual(squeezed);
    expect(planeRow(out, outLayout, 2, 4 + 1)).toEqual(squeezed);
  });

  it('anaglyph "color" takes red from the left eye and green, blue from the right', () => {
    // Right eye shifted 2 px left; gbrp planes: 0 = G, 1 = B, 2 = R.
    const { layout, frame, out, outLayout } = render('gbrp', 20, 4, 'anaglyph', { divergence: 10, convergence: 0, keepSourceEye: 'left' }, 1);

    expect(planeRow(out, outLayout, 2, 1)).toEqual(planeRow(frame, layout, 2, 1));
    expect(planeRow(out, outLayout, 0, 1).slice(0, 16)).toEqual(planeRow(frame, layout, 0, 1).slice(2, 18));
    expect(planeRow(out, outLayout, 1, 1).slice(0, 16)).toEqual(planeRow(frame, layout, 1, 1).slice(2, 18));
  });

  it('writes the depth map with 255 = near', () => {
    const near = render('gbrp', 8, 4, 'sbs', {}, 1);
    const far = render('gbrp', 8, 4, 'sbs', {}, 0);

    expect(new Set(near.depthOut)).toEqual(new Set([255]));
    expect(new Set(far.depthOut)).toEqual(new Set([0]));
  });

  it('refuses anaglyph on YUV frames without their source encoding', () => {
    expect(() => render('yuv420p', 8, 4, 'anaglyph')).toThrow(/gbrp frames, or YUV frames and their source encoding/);
    expect(() => render('yuv444p', 8, 4, 'anaglyph')).toThrow(/source encoding/);
  });

  it('upsampleChroma420: each chroma sample centred on its 2×2 block, bilinear (swscale\'s default siting)', () => {
    // Prepare: 4×4 luma, 2×2 chroma [[0, 100], [200, 40]] in both chroma planes.
    const layout = frameLayout('yuv420p', 4, 4);
    const frame = new Uint8Array(layout.byteLength);
    frame.set([0, 100, 200, 40], layout.planes[1]!.offset);
    frame.set([0, 100, 200, 40], layout.planes[2]!.offset);
    const out = new Uint8Array(frameLayout('yuv444p', 4, 4).byteLength);

    // Act
    upsampleChroma420(frame, layout, out);

    // Assess: rows mixed 3:1 with the nearer other row (edges repeated): [0, 100], [50, 85],
    // [150, 55], [200, 40]; then columns alike: (3·0 + 0 + 2) >> 2, (3·0 + 100 + 2) >> 2, …
    const expected = [
      0, 25, 75, 100,
      50, 59, 76, 85,
      150, 126, 79, 55,
      200, 160, 80, 40,
    ];
    expect(Array.from(out.subarray(16, 32))).toEqual(expected);
    expect(Array.from(out.subarray(32, 48))).toEqual(expected);
  });

  it('anaglyph of yuv444p frames: a flat grey stays the same grey (BT.709 limited range in and out)', () => {
    // Prepare / Act: Y 126, Cb = Cr = 128 is grey 128 in RGB; "color" and "gray" keep greys.
    for (const anaglyphMethod of ['color', 'gray'] as const) {
      const layout = frameLayout('yuv444p', 9, 3);
      const grid = gridSizeFor(9, 3, 4096);
      const n = grid.gridWidth * grid.gridHeight;
      const renderer = new StereoRenderer(layout, grid, { ...FLAT, anaglyphMethod, mode: 'anaglyph', anaglyphSource: { matrix: 'bt709', fullRange: false } });
      const frame = new Uint8Array(layout.byteLength).fill(128).fill(126, 0, 27);
      const out = new Uint8Array(renderer.outputLayout.byteLength);
      renderer.render(frame, { ...grid, a: new Float32Array(n), b: new Float32Array(n).fill(0.5) }, out);

      // Assess
      expect({ anaglyphMethod, out: Array.from(out) }).toEqual({ anaglyphMethod, out: Array.from(frame) });
    }
  });
});
