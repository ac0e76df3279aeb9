import { estimateDepth } from '../src/depth/api';
import { gradientMagnitude, skyMask } from '../src/depth/cues';
import { FigureGround } from '../src/depth/figure';
import { createAnalysisGrid } from '../src/depth/grid';

const W = 48;
const H = 32;

function plane(value: (x: number, y: number) => number): Float32Array {
  return Float32Array.from({ length: W * H }, (_, i) => value(i % W, Math.floor(i / W)));
}

const inSquare = (x: number, y: number): boolean => x >= 16 && x < 32 && y >= 10 && y < 24;

describe('FigureGround', () => {
  it('finds the region the top and sides do not reach, even in front of a textured wall', () => {
    // Prepare: a mid-grey subject in the middle of a finely striped (textured) wall.
    const luma = plane((x, y) => (inSquare(x, y) ? 0.9 : 0.3 + 0.05 * ((x + y) % 2)));
    const chroma = plane(() => 0);
    const out = new Float32Array(W * H);

    // Act
    new FigureGround(W, H).compute([luma, chroma, chroma], out);

    // Assess
    // A colour step of 0.6 against the barrier scale's floor of 0.7.
    expect(out[17 * W + 24]).toBeGreaterThan(0.8);
    expect(out[17 * W + 4]).toBeLessThan(0.2);
    expect(out[2 * W + 24]).toBeLessThan(0.2);
  });

  it('does not seed the bottom row: a subject standing on the frame edge is still a figure', () => {
    const standing = (x: number, y: number): boolean => x >= 16 && x < 32 && y >= 10;
    const luma = plane((x, y) => (standing(x, y) ? 0.8 : 0.2));
    const chroma = plane(() => 0);
    const out = new Float32Array(W * H);

    new FigureGround(W, H).compute([luma, chroma, chroma], out);

    expect(out[(H - 1) * W + 24]).toBeGreaterThan(0.8);
    expect(out[20 * W + 4]).toBeLessThan(0.2);
  });
  it('does not lift a small enclosed region (a distant object) as it lifts a large one', () => {
    // Prepare: the same colour step around a 4×4 square (1% of the frame) and a 16×14 one (15%).
    const small = (x: number, y: number): boolean => x >= 4 && x < 8 && y >= 10 && y < 14;
    const luma = plane((x, y) => (inSquare(x, y) || small(x, y) ? 0.9 : 0.3));
    const chroma = plane(() => 0);
    const out = new Float32Array(W * H);

    // Act
    new FigureGround(W, H).compute([luma, chroma, chroma], out);

    // Assess
    expect(out[17 * W + 24]).toBeGreaterThan(0.8);
    expect(out[11 * W + 5]).toBeLessThan(0.1);
  });

  it('keeps a faintly enclosed region a weak figure (low contrast: as likely far as near)', () => {
    const luma = plane((x, y) => (inSquare(x, y) ? 0.45 : 0.4));
    const chroma = plane(() => 0);
    const out = new Float32Array(W * H);

    new FigureGround(W, H).compute([luma, chroma, chroma], out);

    expect(out[17 * W + 24]).toBeGreaterThan(0);
    expect(out[17 * W + 24]).toBeLessThan(0.1);
  });
});

describe('skyMask', () => {
  it('marks the smooth bright band connected to the top, not a textured top or what lies below', () => {
    const grid = createAnalysisGrid({ gridWidth: W, gridHeight: H, cellWidth: 1, cellHeight: 1 });
    // Sky (bright, smooth, bluish) above row 12, textured ground below; a textured tree at the left.
    for (let i = 0; i < W * H; i++) {
      const x = i % W;
      const y = Math.floor(i / W);
      const tree = x < 8;
      const sky = y < 12 && !tree;
      grid.luma[i] = sky ? 0.75 : 0.35 + 0.1 * ((x * 7 + y * 3) % 3);
      grid.cb[i] = sky ? 0.08 : -0.02;
      grid.cr[i] = sky ? -0.03 : 0.02;
      grid.detail[i] = sky ? 0.004 : 0.06;
    }
    const gradient = new Float32Array(W * H);
    gradientMagnitude(grid.luma, W, H, gradient);
    const mask = new Uint8Array(W * H);

    const share = skyMask(grid, gradient, mask);

    expect(mask[2 * W + 30]).toBe(1);
    expect(mask[2 * W + 3]).toBe(0);
    expect(mask[20 * W + 30]).toBe(0);
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.4);
  });
});

describe('estimateDepth on a subject in front of a wall', () => {
  /** A red, striped subject (dark and bright stripes) over a plain, lightly textured wall. */
  function subjectPicture(width: number, height: number): Uint8Array {
    const rgb = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const subject = x >= width / 3 && x < (2 * width) / 3 && y >= height / 4 && y < (3 * height) / 4;
        const dark = subject && Math.floor(y / 8) % 2 === 0;
        const grain = ((x * 7 + y * 13) % 5) * 2;
        const color = subject ? (dark ? [60, 10, 10] : [220, 60, 50]) : [150 + grain, 150 + grain, 140 + grain];
        rgb.set(color, 3 * (y * width + x));
      }
    }
    return rgb;
  }

  it('puts the subject in front of the wall at the same height, its dark stripes as near as its bright ones', () => {
    const width = 192;
    const height = 128;

    const { data } = estimateDepth({ width, height, data: subjectPicture(width, height) });

    const at = (y: number, x = width / 2): number => data[y * width + x]!;
    const wall = Math.max(at(height / 2, 10), at(height / 2, width - 10));
    expect(at(height / 2) - wall).toBeGreaterThan(0.3);
    // Stripes of 8 rows alternate dark (rows 48–55, 64–71) and bright (56–63, 72–79). Brightness
    // is not copied into depth: each dark stripe is no farther than the bright ones around it.
    for (const darkRow of [52, 68]) {
      expect(at(darkRow)).toBeGreaterThanOrEqual(Math.min(at(darkRow - 8), at(darkRow + 8)) - 0.02);
    }
  });
});
