/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array loops: indices in range by construction */
// The synthetic half of `npm run eval`: the engine's depth and right views against ray-cast scenes
// with known depth (video: temporal smoothing, a moving camera or object), next to the vertical
// ramp and the identity (right = left).
import { VIDEO_DEPTH_REFRESH } from '../src/convert/video';
import { fixed, NONE, type Finding } from './findings';
import { rampField, synthesiseRight } from './views';
import { evaluateField } from '../src/depth/api';
import { DepthEstimator } from '../src/depth/estimator';
import type { DepthField } from '../src/depth/field';
import { type GridSize } from '../src/depth/grid';
import { frameLayout, gbrpFromRgb, type FrameLayout } from '../src/frame/planar';
import { depthEdgeMask, mean, meanAbsoluteError, spearman } from './metrics';
import { renderView, seededRandom, type Camera, type Scene, type SceneObject } from './scene';

const WIDTH = 320;
const HEIGHT = 180;
const FRAMES = 6;
const SEED = 20240611;

type Kind = 'camera truck' | 'camera truck + pan' | 'static camera, moving object';

interface Sequence {
  readonly name: string;
  readonly kind: Kind;
  readonly scene: Scene;
  readonly camera: Camera;
  /** Advances the sequence by one frame (moves the camera or an object). */
  step(): void;
}

interface Truth {
  readonly left: Uint8Array;
  readonly right: Uint8Array;
  /** Left-view disparity in pixels (f·B/Z; 0 for sky). */
  readonly disparity: Float32Array;
  /** Right-view disparity, for the edge mask. */
  readonly rightDisparity: Float32Array;
  readonly zLeft: Float32Array;
}

interface Method {
  readonly name: string;
  depth(truth: Truth, layout: FrameLayout, frame: Uint8Array): { field: DepthField; depth: Float32Array } | undefined;
}

interface Scores {
  spearman: number[];
  errorAll: number[];
  errorEdges: number[];
  flicker: number[];
}

function buildSequences(seed: number): Sequence[] {
  const random = seededRandom(seed);
  const between = (lo: number, hi: number): number => lo + (hi - lo) * random();
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const kinds: Kind[] = ['camera truck', 'camera truck + pan', 'static camera, moving object'];
  const sequences: Sequence[] = [];
  for (let index = 0; index < 9; index++) {
    const kind = kinds[index % kinds.length]!;
    const objects: SceneObject[] = [];
    const count = 3 + Math.floor(random() * 5);
    for (let k = 0; k < count; k++) {
      const color: [number, number, number] = [between(40, 230), between(40, 230), between(40, 230)];
      if (random() < 0.7) {
        objects.push({
          kind: 'box',
          x: between(-6, 6),
          z: between(4, 30),
          width: between(0.5, 3),
          height: between(0.8, 4),
          depth: between(0.5, 3),
          color,
          textureScale: between(0.08, 0.5),
          seed: Math.floor(random() * 1e6),
        });
      } else {
        objects.push({
          kind: 'sphere',
          x: between(-6, 6),
          z: between(4, 30),
          radius: between(0.4, 1.5),
          color,
          textureScale: between(0.08, 0.4),
          seed: Math.floor(random() * 1e6),
        });
      }
    }
    const sky: [number, number, number] = [between(100, 150), between(140, 180), between(190, 240)];
    const scene: Scene = {
      name: `scene ${index + 1}`,
      objects,
      ground: {
        color: pick([
          [70, 110, 50],
          [95, 95, 100],
          [170, 150, 110],
          [120, 95, 70],
        ] as const),
        textureScale: between(0.2, 1.2),
        seed: Math.floor(random() * 1e6),
      },
      wallDistance: random() < 0.5 ? between(35, 80) : undefined,
      wallColor: [between(90, 200), between(90, 200), between(90, 200)],
      skyColor: sky,
      haze: random() < 0.5 ? between(0.01, 0.04) : 0,
      sun: normalise({ x: between(-0.6, 0.6), y: between(0.6, 0.9), z: between(-0.6, -0.3) }),
    };
    const camera: Camera = {
      x: between(-1, 1),
      y: between(1.3, 1.9),
      z: 0,
      pitch: between(0, 0.14),
      yaw: between(-0.1, 0.1),
      focal: 0.9 * WIDTH,
      baseline: 0, // set from the first frame's nearest point
    };
    const truckStep = between(0.12, 0.3) * (random() < 0.5 ? -1 : 1);
    const panStep = between(0.004, 0.01) * (random() < 0.5 ? -1 : 1);
    const mover = objects[0]!;
    const moverStep = between(0.1, 0.25) * (random() < 0.5 ? -1 : 1);
    sequences.push({
      name: scene.name,
      kind,
      scene,
      camera,
      step: () => {
        if (kind === 'static camera, moving object') mover.x += moverStep;
        else camera.x += truckStep;
        if (kind === 'camera truck + pan') camera.yaw += panStep;
      },
    });
  }
  return sequences;
}

function normalise(v: { x: number; y: number; z: number }): { x: number; y: number; z: number } {
  const n = Math.hypot(v.x, v.y, v.z);
  return { x: v.x / n, y: v.y / n, z: v.z / n };
}

function renderTruth(sequence: Sequence, targetMaxDisparity: number): Truth {
  const camera = sequence.camera;
  const left = renderView(sequence.scene, camera, WIDTH, HEIGHT, 0);
  if (camera.baseline === 0) {
    let zMin = Number.POSITIVE_INFINITY;
    for (const z of left.z) zMin = Math.min(zMin, z);
    camera.baseline = (targetMaxDisparity * zMin) / camera.focal;
  }
  const right = renderView(sequence.scene, camera, WIDTH, HEIGHT, camera.baseline);
  const toDisparity = (z: Float32Array): Float32Array =>
    z.map((value) => (Number.isFinite(value) ? (camera.focal * camera.baseline) / value : 0));
  return {
    left: left.rgb,
    right: right.rgb,
    disparity: toDisparity(left.z),
    rightDisparity: toDisparity(right.z),
    zLeft: left.z,
  };
}

export function evaluateSyntheticScenes(): Finding[] {
  const layout = frameLayout('gbrp', WIDTH, HEIGHT);
  const sequences = buildSequences(SEED);
  const random = seededRandom(SEED + 1);
  const scores = new Map<string, Scores>();
  const score = (name: string): Scores => {
    let s = scores.get(name);
    if (!s) scores.set(name, (s = { spearman: [], errorAll: [], errorEdges: [], flicker: [] }));
    return s;
  };
  const byKind = new Map<string, Map<string, number[]>>();

  for (const sequence of sequences) {
    // As convertFile runs it on videos: temporal smoothing, fit refreshed every other frame.
    const estimator = new DepthEstimator(layout, { temporal: true, refreshInterval: VIDEO_DEPTH_REFRESH });
    const stateless = new DepthEstimator(layout, { temporal: false });
    const fullGrid: GridSize = { gridWidth: WIDTH, gridHeight: HEIGHT, cellWidth: 1, cellHeight: 1 };
    const methods: Method[] = [
      { name: 'identity (right = left)', depth: () => undefined },
      {
        name: 'vertical gradient',
        depth: (_truth, l, frame) => {
          const field = rampField(fullGrid);
          return { field, depth: evaluateField(frame, l, field) };
        },
      },
      {
        name: 'engine',
        depth: (_truth, l, frame) => {
          const field = estimator.estimate(frame);
          return { field, depth: evaluateField(frame, l, field) };
        },
      },
      {
        name: 'engine without temporal smoothing',
        depth: (_truth, l, frame) => {
          const field = stateless.estimate(frame);
          return { field, depth: evaluateField(frame, l, field) };
        },
      },
    ];
    const targetMaxDisparity = 6 + 6 * random();
    const previous = new Map<string, Float32Array>();
    let previousTruth: Truth | undefined;
    for (let t = 0; t < FRAMES; t++) {
      if (t > 0) sequence.step();
      const truth = renderTruth(sequence, targetMaxDisparity);
      const frame = gbrpFromRgb(truth.left, WIDTH, HEIGHT).data;
      let dMin = Number.POSITIVE_INFINITY;
      let dMax = 0;
      for (const d of truth.disparity) {
        dMin = Math.min(dMin, d);
        dMax = Math.max(dMax, d);
      }
      const trueDepth = truth.disparity.map((d) => (d - dMin) / Math.max(dMax - dMin, 1e-6));
      const edges = depthEdgeMask(truth.rightDisparity, WIDTH, HEIGHT);
      const staticMask = previousTruth ? staticPixels(previousTruth, truth) : undefined;
      for (const method of methods) {
        const s = score(method.name);
        const estimate = method.depth(truth, layout, frame);
        const right = estimate
          ? synthesiseRight(layout, frame, estimate.field, method.name === 'vertical gradient' ? fullGrid : estimator.size, dMin, dMax)
          : truth.left;
        s.errorAll.push(meanAbsoluteError(right, truth.right));
        s.errorEdges.push(meanAbsoluteError(right, truth.right, edges));
        if (estimate) {
          const rho = spearman(estimate.depth, trueDepth);
          s.spearman.push(rho);
          const kinds = byKind.get(sequence.kind) ?? new Map<string, number[]>();
          byKind.set(sequence.kind, kinds);
          kinds.set(method.name, [...(kinds.get(method.name) ?? []), rho]);
          const before = previous.get(method.name);
          if (before && staticMask && sequence.kind === 'static camera, moving object') {
            s.flicker.push(meanChange(before, estimate.depth, staticMask));
          }
          previous.set(method.name, estimate.depth);
        }
      }
      previousTruth = truth;
    }
  }

  const engine = scores.get('engine')!;
  const ramp = scores.get('vertical gradient')!;
  const identity = scores.get('identity (right = left)')!;
  const still = scores.get('engine without temporal smoothing')!;
  const suite = `synthetic (${sequences.length} sequences × ${FRAMES} frames)`;
  /** A right-view error row over all scenes: the engine against both baselines. */
  const rightViewError = (
    measure: string,
    errors: 'errorAll' | 'errorEdges',
    target: string,
    pass: boolean,
  ): Finding => ({
    suite,
    case: 'all scenes',
    measure,
    engine: fixed(mean(engine[errors]), 2),
    ramp: fixed(mean(ramp[errors]), 2),
    identity: fixed(mean(identity[errors]), 2),
    target,
    pass,
  });
  const findings: Finding[] = [
    {
      suite,
      case: 'all scenes',
      measure: 'depth rank corr. (Spearman)',
      engine: fixed(mean(engine.spearman)),
      ramp: fixed(mean(ramp.spearman)),
      identity: NONE,
      target: '> ramp',
      pass: mean(engine.spearman) > mean(ramp.spearman),
    },
    ...[...byKind.entries()].map(([kind, methods]) => ({
      suite,
      case: kind,
      measure: 'depth rank corr. (Spearman)',
      engine: fixed(mean(methods.get('engine') ?? [])),
      ramp: fixed(mean(methods.get('vertical gradient') ?? [])),
      identity: NONE,
      target: '(detail)',
      pass: true,
    })),
    rightViewError('right-view MAE, all (0–255)', 'errorAll', '(detail)', true),
    rightViewError(
      'right-view MAE, depth edges',
      'errorEdges',
      '< ramp and < identity',
      mean(engine.errorEdges) < mean(ramp.errorEdges) && mean(engine.errorEdges) < mean(identity.errorEdges),
    ),
    {
      suite,
      case: 'static camera, moving object',
      measure: 'flicker in static regions',
      engine: fixed(mean(engine.flicker), 4),
      ramp: fixed(mean(ramp.flicker), 4),
      identity: NONE,
      target: `< without smoothing (${fixed(mean(still.flicker), 4)})`,
      pass: mean(engine.flicker) < mean(still.flicker),
    },
  ];
  return findings;
}

/** Pixels whose true depth and colour did not change between two frames. */
function staticPixels(a: Truth, b: Truth): Uint8Array {
  const mask = new Uint8Array(WIDTH * HEIGHT);
  for (let i = 0; i < mask.length; i++) {
    const same =
      a.zLeft[i] === b.zLeft[i] &&
      a.left[3 * i] === b.left[3 * i] &&
      a.left[3 * i + 1] === b.left[3 * i + 1] &&
      a.left[3 * i + 2] === b.left[3 * i + 2];
    mask[i] = same ? 1 : 0;
  }
  return mask;
}

function meanChange(a: Float32Array, b: Float32Array, mask: Uint8Array): number {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    sum += Math.abs(a[i]! - b[i]!);
    count++;
  }
  return count ? sum / count : 0;
}
