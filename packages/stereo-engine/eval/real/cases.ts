// The real photographs of the eval and what is known about each: a measured disparity map (from
// a structured-light or stereo rig, published with the stereo pair), or hand-drawn boxes around
// an obvious subject and around background at the same image height (so that a top-to-bottom
// ramp earns nothing). Boxes are fractions of the width and height: [x0, y0, x1, y1].
import { OPENCV_SAMPLES, SKIMAGE_DATA, type DebianFile } from './debian-data';

export type Box = readonly [number, number, number, number];

export interface MeasuredDepthCase {
  readonly name: string;
  readonly left: DebianFile;
  readonly right: DebianFile;
  /** Disparity of the left view in pixels at the file's own width; 0 or ∞ = unknown. */
  readonly disparity: { readonly file: DebianFile; readonly kind: 'png' | 'npz' };
}

export interface SubjectCase {
  readonly name: string;
  readonly image: DebianFile;
  readonly subject: Box;
  readonly background: Box;
}

const opencv = (name: string): DebianFile => ({ packageName: 'opencv-doc', path: `${OPENCV_SAMPLES}/${name}` });
const skimage = (name: string): DebianFile => ({ packageName: 'python3-skimage', path: `${SKIMAGE_DATA}/${name}` });

export const MEASURED_DEPTH_CASES: readonly MeasuredDepthCase[] = [
  {
    name: 'Aloe (Middlebury 2006)',
    left: opencv('aloeL.jpg'),
    right: opencv('aloeR.jpg'),
    disparity: { file: opencv('aloeGT.png'), kind: 'png' },
  },
  {
    name: 'Motorcycle (Middlebury 2014)',
    left: skimage('motorcycle_left.png'),
    right: skimage('motorcycle_right.png'),
    disparity: { file: skimage('motorcycle_disp.npz'), kind: 'npz' },
  },
];

export const SUBJECT_CASES: readonly SubjectCase[] = [
  // A cat's face filling the left two thirds; blurred room at the right.
  { name: 'cat (chelsea)', image: skimage('chelsea.png'), subject: [0.2, 0.4, 0.6, 0.7], background: [0.84, 0.4, 0.98, 0.7] },
  // A person in front of a flag.
  { name: 'astronaut', image: skimage('astronaut.png'), subject: [0.32, 0.08, 0.55, 0.45], background: [0.0, 0.08, 0.12, 0.45] },
  // A cup on a table: beside its rim, the table is farther back.
  { name: 'coffee cup', image: skimage('coffee.png'), subject: [0.32, 0.12, 0.62, 0.42], background: [0.78, 0.12, 0.98, 0.42] },
  // A footballer in front of the stands.
  { name: 'footballer (messi5)', image: opencv('messi5.jpg'), subject: [0.45, 0.3, 0.56, 0.55], background: [0.02, 0.3, 0.3, 0.55] },
  // A squirrel on a branch, foliage out of focus behind.
  { name: 'squirrel', image: opencv('squirrel_cls.jpg'), subject: [0.27, 0.35, 0.45, 0.65], background: [0.0, 0.35, 0.2, 0.65] },
  // A building under a blue sky with clouds: the sky beside it, at the same height, is farther.
  { name: 'building under sky (home)', image: opencv('home.jpg'), subject: [0.72, 0.55, 0.98, 0.75], background: [0.0, 0.55, 0.18, 0.75] },
];

export function allFiles(): DebianFile[] {
  return [
    ...MEASURED_DEPTH_CASES.flatMap((c) => [c.left, c.right, c.disparity.file]),
    ...SUBJECT_CASES.map((c) => c.image),
  ];
}
