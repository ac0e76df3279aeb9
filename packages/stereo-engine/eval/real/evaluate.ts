/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array loops: indices in range by construction */
// The real-photograph half of `npm run eval`: the engine's single-image depth (as `convert` makes
// it for a still) against measured disparity and against hand-drawn subject/background boxes,
// next to the vertical ramp and, for the synthesised views, the identity (right = left).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { IMAGE_DEPTH_RESOLUTION } from '../../src/convert/image';
import { evaluateField } from '../../src/depth/api';
import { DepthEstimator } from '../../src/depth/estimator';
import { resolveFfmpegPath, resolveFfprobePath } from '../../src/ffmpeg/binaries';
import { frameLayout, gbrpFromRgb, type FrameLayout } from '../../src/frame/planar';
import { fixed, NONE, type Finding } from '../findings';
import { meanAbsoluteError, spearman } from '../metrics';
import { pixelGrid, rampField, synthesiseRight } from '../views';
import { allFiles, MEASURED_DEPTH_CASES, SUBJECT_CASES, type Box, type MeasuredDepthCase, type SubjectCase } from './cases';
import { locate, type DebianFile } from './debian-data';
import { readNpzEntry } from './npy';

/** Photographs are evaluated at most this wide (as a 720p video frame would be, roughly). */
const MAX_WIDTH = 640;
/** The engine must rank depth this much better than the ramp on measured depth. */
const RANK_MARGIN = 0.05;
/** The subject's median depth must exceed the background's by this much (depth in [0, 1]). */
const SUBJECT_MARGIN = 0.1;

interface Picture {
  readonly width: number;
  readonly height: number;
  /** The width of the file itself (disparities scale with it). */
  readonly sourceWidth: number;
  readonly rgb: Uint8Array;
}

export interface RealImageDepth {
  readonly name: string;
  readonly picture: Picture;
  readonly depth: Float32Array;
}

export function evaluateRealImages(onDepth?: (result: RealImageDepth) => void): Finding[] {
  const where = locate(allFiles());
  const path = (file: DebianFile): string => where.get(file)!;
  const findings: Finding[] = [];
  for (const item of MEASURED_DEPTH_CASES) findings.push(...measuredDepth(item, path, onDepth));
  for (const item of SUBJECT_CASES) findings.push(subjectInFront(item, path, onDepth));
  return findings;
}

function measuredDepth(item: MeasuredDepthCase, path: (f: DebianFile) => string, onDepth?: (r: RealImageDepth) => void): Finding[] {
  const left = decode(path(item.left));
  const right = decode(path(item.right), left.width, left.height);
  const disparity = loadDisparity(item, path(item.disparity.file), left);
  const layout = frameLayout('gbrp', left.width, left.height);
  const frame = gbrpFromRgb(left.rgb, left.width, left.height).data;
  const engine = engineDepth(layout, frame);
  onDepth?.({ name: item.name, picture: left, depth: engine.depth });
  const ramp = rampField(pixelGrid(layout));
  const rampDepth = evaluateField(frame, layout, ramp);

  const known = new Uint8Array(disparity.length);
  const truth: number[] = [];
  const engineKnown: number[] = [];
  const rampKnown: number[] = [];
  let dMin = Number.POSITIVE_INFINITY;
  let dMax = 0;
  for (let i = 0; i < disparity.length; i++) {
    const d = disparity[i]!;
    if (!Number.isFinite(d) || d <= 0) continue;
    known[i] = 1;
    truth.push(d);
    engineKnown.push(engine.depth[i]!);
    rampKnown.push(rampDepth[i]!);
    dMin = Math.min(dMin, d);
    dMax = Math.max(dMax, d);
  }
  const rhoEngine = spearman(engineKnown, truth);
  const rhoRamp = spearman(rampKnown, truth);
  const engineRight = synthesiseRight(layout, frame, engine.field, engine.grid, dMin, dMax);
  const rampRight = synthesiseRight(layout, frame, ramp, pixelGrid(layout), dMin, dMax);
  const maeEngine = meanAbsoluteError(engineRight, right.rgb, known);
  const maeRamp = meanAbsoluteError(rampRight, right.rgb, known);
  const maeIdentity = meanAbsoluteError(left.rgb, right.rgb, known);
  const suite = 'real, measured depth';
  return [
    {
      suite,
      case: item.name,
      measure: 'depth rank corr. (Spearman)',
      engine: fixed(rhoEngine),
      ramp: fixed(rhoRamp),
      identity: NONE,
      target: `≥ ramp + ${RANK_MARGIN}`,
      pass: rhoEngine >= rhoRamp + RANK_MARGIN,
    },
    {
      suite,
      case: item.name,
      measure: 'right-view MAE (0–255)',
      engine: fixed(maeEngine, 2),
      ramp: fixed(maeRamp, 2),
      identity: fixed(maeIdentity, 2),
      target: '< identity',
      pass: maeEngine < maeIdentity,
    },
  ];
}

function subjectInFront(item: SubjectCase, path: (f: DebianFile) => string, onDepth?: (r: RealImageDepth) => void): Finding {
  const picture = decode(path(item.image));
  const layout = frameLayout('gbrp', picture.width, picture.height);
  const frame = gbrpFromRgb(picture.rgb, picture.width, picture.height).data;
  const { depth } = engineDepth(layout, frame);
  onDepth?.({ name: item.name, picture, depth });
  const lift = subjectLift(depth, picture.width, picture.height, item.subject, item.background);
  const rampDepth = evaluateField(frame, layout, rampField(pixelGrid(layout)));
  const rampLift = subjectLift(rampDepth, picture.width, picture.height, item.subject, item.background);
  return {
    suite: 'real, subject in front',
    case: item.name,
    measure: 'subject − background (median depth)',
    engine: fixed(lift),
    ramp: fixed(rampLift),
    identity: NONE,
    target: `≥ ${SUBJECT_MARGIN}`,
    pass: lift >= SUBJECT_MARGIN,
  };
}

/** Median depth in the subject box minus in the background box, depth stretched to [0, 1]. */
export function subjectLift(depth: Float32Array, width: number, height: number, subject: Box, background: Box): number {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const d of depth) {
    lo = Math.min(lo, d);
    hi = Math.max(hi, d);
  }
  const span = hi - lo > 1e-9 ? hi - lo : 1;
  const median = (box: Box): number => {
    const values: number[] = [];
    const [x0, y0, x1, y1] = box;
    for (let y = Math.floor(y0 * height); y < Math.ceil(y1 * height); y++) {
      for (let x = Math.floor(x0 * width); x < Math.ceil(x1 * width); x++) values.push((depth[y * width + x]! - lo) / span);
    }
    values.sort((a, b) => a - b);
    return values[values.length >> 1]!;
  };
  return median(subject) - median(background);
}

/** The engine's depth of one still, as `convert` estimates it for an image. */
export function engineDepth(layout: FrameLayout, frame: Uint8Array) {
  const estimator = new DepthEstimator(layout, { resolution: IMAGE_DEPTH_RESOLUTION, temporal: false });
  const field = estimator.estimate(frame);
  return { field, grid: estimator.size, depth: evaluateField(frame, layout, field) };
}

/** Decodes an image to RGB24, at most MAX_WIDTH wide (or at exactly width × height). */
export function decode(file: string, width?: number, height?: number): Picture {
  const [sourceWidth, sourceHeight] = probeSize(file);
  const w = width ?? Math.min(sourceWidth, MAX_WIDTH);
  const h = height ?? Math.round((sourceHeight * w) / sourceWidth);
  const rgb = ffmpeg(['-i', file, '-vf', `scale=${w}:${h}:flags=area`, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1']);
  if (rgb.length !== w * h * 3) throw new Error(`${file}: decoded ${rgb.length} bytes, expected ${w * h * 3}`);
  return { width: w, height: h, sourceWidth, rgb: new Uint8Array(rgb) };
}

function probeSize(file: string): [number, number] {
  const out = execFileSync(resolveFfprobePath(), ['-v', 'error', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', file]);
  const [width = 0, height = 0] = out.toString().trim().split(',').map(Number);
  if (!(width > 0 && height > 0)) throw new Error(`${file}: cannot read its size`);
  return [width, height];
}

/** Disparity per pixel of `left`, in `left`'s pixels; NaN where unknown. Nearest-neighbour. */
function loadDisparity(item: MeasuredDepthCase, file: string, left: Picture): Float32Array {
  const scale = left.width / left.sourceWidth;
  const out = new Float32Array(left.width * left.height);
  if (item.disparity.kind === 'png') {
    const gray = ffmpeg(['-i', file, '-vf', `scale=${left.width}:${left.height}:flags=neighbor`, '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1']);
    for (let i = 0; i < out.length; i++) out[i] = gray[i]! === 0 ? Number.NaN : gray[i]! * scale;
    return out;
  }
  const array = readNpzEntry(readFileSync(file), 'arr_0.npy');
  const [rows = 0, columns = 0] = array.shape;
  for (let y = 0; y < left.height; y++) {
    const sy = Math.min(rows - 1, Math.floor(((y + 0.5) * rows) / left.height));
    for (let x = 0; x < left.width; x++) {
      const sx = Math.min(columns - 1, Math.floor(((x + 0.5) * columns) / left.width));
      const d = array.data[sy * columns + sx]!;
      out[y * left.width + x] = Number.isFinite(d) ? d * scale : Number.NaN;
    }
  }
  return out;
}

function ffmpeg(args: string[]): Buffer {
  return execFileSync(resolveFfmpegPath(), ['-hide_banner', '-nostdin', '-v', 'error', ...args], { maxBuffer: 1 << 28 });
}
