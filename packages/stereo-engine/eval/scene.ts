/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array loops: indices in range by construction */
/**
 * Synthetic stereo scenes with known geometry, ray-cast in plain TypeScript: a textured ground
 * plane, boxes and spheres standing on it, a far wall or a sky, optional haze. Each frame is
 * rendered from a left and a right camera (parallel, `baseline` apart) with 2×2 supersampling,
 * giving the true right view and the true disparity of every left-view pixel. Scenes come from a
 * seeded generator; nothing here knows how the engine works.
 */

export interface Vec3 {
  x: number;
  y: number;
  z: number;
}

export interface Box {
  readonly kind: 'box';
  /** Centre x, z on the ground; size; the box stands on y = 0. */
  x: number;
  z: number;
  readonly width: number;
  readonly height: number;
  readonly depth: number;
  readonly color: readonly [number, number, number];
  readonly textureScale: number;
  readonly seed: number;
}

export interface Sphere {
  readonly kind: 'sphere';
  x: number;
  z: number;
  readonly radius: number;
  readonly color: readonly [number, number, number];
  readonly textureScale: number;
  readonly seed: number;
}

export type SceneObject = Box | Sphere;

export interface Scene {
  readonly name: string;
  readonly objects: SceneObject[];
  readonly ground: { readonly color: readonly [number, number, number]; readonly textureScale: number; readonly seed: number };
  /** Distance of a textured far wall, or undefined for an open sky. */
  readonly wallDistance: number | undefined;
  readonly wallColor: readonly [number, number, number];
  readonly skyColor: readonly [number, number, number];
  /** Haze extinction per metre (0 = clear air). */
  readonly haze: number;
  readonly sun: Vec3;
}

export interface Camera {
  /** Camera centre (the left camera; the right one is `baseline` further along x). */
  x: number;
  readonly y: number;
  z: number;
  /** Pitch down in radians (positive looks down), yaw in radians (positive turns right). */
  readonly pitch: number;
  yaw: number;
  readonly focal: number;
  baseline: number;
}

export interface RenderedView {
  /** Interleaved RGB24. */
  readonly rgb: Uint8Array;
  /** Depth along the optical axis in metres (Infinity for sky), per pixel (centre sample). */
  readonly z: Float32Array;
}

const SKY = Number.POSITIVE_INFINITY;

/** Renders the scene from the camera shifted by `offsetX` (0 = left view, baseline = right). */
export function renderView(scene: Scene, camera: Camera, width: number, height: number, offsetX: number): RenderedView {
  const rgb = new Uint8Array(width * height * 3);
  const zBuffer = new Float32Array(width * height);
  const cx = width / 2;
  const cy = height / 2;
  const cosP = Math.cos(camera.pitch);
  const sinP = Math.sin(camera.pitch);
  const cosY = Math.cos(camera.yaw);
  const sinY = Math.sin(camera.yaw);
  // Parallel stereo: the right camera moves along the camera's own x axis.
  const origin = { x: camera.x + offsetX * cosY, y: camera.y, z: camera.z - offsetX * sinY };
  const color: [number, number, number] = [0, 0, 0];
  const samples = [0.25, 0.75];
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const sy of samples) {
        for (const sx of samples) {
          // Camera-space ray (x right, y up, z forward), then pitch and yaw into the world.
          const dx = (px + sx - cx) / camera.focal;
          const dy = -(py + sy - cy) / camera.focal;
          const y1 = dy * cosP - sinP;
          const z1 = dy * sinP + cosP;
          const dir = { x: dx * cosY + z1 * sinY, y: y1, z: -dx * sinY + z1 * cosY };
          trace(scene, origin, dir, color);
          r += color[0];
          g += color[1];
          b += color[2];
        }
      }
      // Depth at the pixel centre: camera-space rays have a forward component of 1, so the ray
      // parameter t is the depth along the optical axis.
      const centreDx = (px + 0.5 - cx) / camera.focal;
      const centreDy = -(py + 0.5 - cy) / camera.focal;
      const cy1 = centreDy * cosP - sinP;
      const cz1 = centreDy * sinP + cosP;
      const centreZ = trace(scene, origin, { x: centreDx * cosY + cz1 * sinY, y: cy1, z: -centreDx * sinY + cz1 * cosY }, color);
      const i = py * width + px;
      rgb[3 * i] = clampByte(r / 4);
      rgb[3 * i + 1] = clampByte(g / 4);
      rgb[3 * i + 2] = clampByte(b / 4);
      zBuffer[i] = centreZ;
    }
  }
  return { rgb, z: zBuffer };
}

/**
 * Shades the nearest hit along origin + t·dir into `out` (0..255) and returns t (the depth along
 * the optical axis, since camera-space rays have a forward component of 1), Infinity for sky.
 */
function trace(scene: Scene, origin: Vec3, dir: Vec3, out: [number, number, number]): number {
  let nearest = SKY;
  let hitColor: readonly [number, number, number] = scene.skyColor;
  let normal: Vec3 = { x: 0, y: 1, z: 0 };
  let textureValue = 1;
  // Ground plane y = 0.
  if (dir.y < -1e-6) {
    const t = -origin.y / dir.y;
    if (t < nearest) {
      nearest = t;
      const gx = origin.x + t * dir.x;
      const gz = origin.z + t * dir.z;
      hitColor = scene.ground.color;
      normal = { x: 0, y: 1, z: 0 };
      textureValue = texture(gx, gz, scene.ground.textureScale, scene.ground.seed);
    }
  }
  if (scene.wallDistance !== undefined && dir.z > 1e-6) {
    const t = (scene.wallDistance - origin.z) / dir.z;
    if (t > 0 && t < nearest) {
      nearest = t;
      hitColor = scene.wallColor;
      normal = { x: 0, y: 0, z: -1 };
      textureValue = texture(origin.x + t * dir.x, origin.y + t * dir.y, 0.35, 7);
    }
  }
  for (const object of scene.objects) {
    const hit = object.kind === 'box' ? intersectBox(object, origin, dir) : intersectSphere(object, origin, dir);
    if (!hit || hit.t >= nearest) continue;
    nearest = hit.t;
    hitColor = object.color;
    normal = hit.normal;
    const p = { x: origin.x + hit.t * dir.x, y: origin.y + hit.t * dir.y, z: origin.z + hit.t * dir.z };
    textureValue =
      object.kind === 'box'
        ? texture(p.x + p.z, p.y, object.textureScale, object.seed)
        : texture(p.x * 1.3 + p.z, p.y + p.z * 0.7, object.textureScale, object.seed);
  }
  if (nearest === SKY) {
    // Sky: brighter towards the horizon.
    const k = 1 - Math.max(0, dir.y) * 0.8;
    out[0] = scene.skyColor[0] * k + 40 * (1 - k);
    out[1] = scene.skyColor[1] * k + 40 * (1 - k);
    out[2] = scene.skyColor[2] * k + 60 * (1 - k);
    return SKY;
  }
  const sun = scene.sun;
  const lambert = Math.max(0, normal.x * sun.x + normal.y * sun.y + normal.z * sun.z);
  const light = 0.35 + 0.65 * lambert;
  const distance = nearest * Math.sqrt(dir.x * dir.x + dir.y * dir.y + dir.z * dir.z);
  const transmission = Math.exp(-scene.haze * distance);
  const horizonSky = [scene.skyColor[0] * 0.6 + 90, scene.skyColor[1] * 0.6 + 90, scene.skyColor[2] * 0.6 + 100];
  for (let c = 0; c < 3; c++) {
    const surface = hitColor[c]! * light * (0.55 + 0.9 * textureValue);
    out[c] = surface * transmission + horizonSky[c]! * (1 - transmission);
  }
  return nearest;
}

function intersectBox(box: Box, o: Vec3, d: Vec3): { t: number; normal: Vec3 } | undefined {
  const min = [box.x - box.width / 2, 0, box.z - box.depth / 2];
  const max = [box.x + box.width / 2, box.height, box.z + box.depth / 2];
  const origin = [o.x, o.y, o.z];
  const dir = [d.x, d.y, d.z];
  let tNear = -Infinity;
  let tFar = Infinity;
  let axis = 0;
  for (let a = 0; a < 3; a++) {
    if (Math.abs(dir[a]!) < 1e-9) {
      if (origin[a]! < min[a]! || origin[a]! > max[a]!) return undefined;
      continue;
    }
    let t1 = (min[a]! - origin[a]!) / dir[a]!;
    let t2 = (max[a]! - origin[a]!) / dir[a]!;
    if (t1 > t2) [t1, t2] = [t2, t1];
    if (t1 > tNear) {
      tNear = t1;
      axis = a;
    }
    if (t2 < tFar) tFar = t2;
    if (tNear > tFar || tFar < 0) return undefined;
  }
  if (tNear <= 0) return undefined;
  const normal = { x: 0, y: 0, z: 0 };
  const sign = dir[axis]! > 0 ? -1 : 1;
  if (axis === 0) normal.x = sign;
  else if (axis === 1) normal.y = sign;
  else normal.z = sign;
  return { t: tNear, normal };
}

function intersectSphere(s: Sphere, o: Vec3, d: Vec3): { t: number; normal: Vec3 } | undefined {
  const c = { x: s.x, y: s.radius, z: s.z };
  const ox = o.x - c.x;
  const oy = o.y - c.y;
  const oz = o.z - c.z;
  const a = d.x * d.x + d.y * d.y + d.z * d.z;
  const b = 2 * (ox * d.x + oy * d.y + oz * d.z);
  const cc = ox * ox + oy * oy + oz * oz - s.radius * s.radius;
  const disc = b * b - 4 * a * cc;
  if (disc < 0) return undefined;
  const t = (-b - Math.sqrt(disc)) / (2 * a);
  if (t <= 0) return undefined;
  const p = { x: o.x + t * d.x, y: o.y + t * d.y, z: o.z + t * d.z };
  return { t, normal: { x: (p.x - c.x) / s.radius, y: (p.y - c.y) / s.radius, z: (p.z - c.z) / s.radius } };
}

/** Value noise (3 octaves) in [0, 1] at world coordinates (u, v) with a feature size in metres. */
export function texture(u: number, v: number, scale: number, seed: number): number {
  let sum = 0;
  let amplitude = 0.5;
  let frequency = 1 / scale;
  for (let octave = 0; octave < 3; octave++) {
    sum += amplitude * valueNoise(u * frequency, v * frequency, seed + octave * 101);
    amplitude *= 0.5;
    frequency *= 2.3;
  }
  return sum / 0.875;
}

function valueNoise(x: number, y: number, seed: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const sx = fx * fx * (3 - 2 * fx);
  const sy = fy * fy * (3 - 2 * fy);
  const a = hash(x0, y0, seed);
  const b = hash(x0 + 1, y0, seed);
  const c = hash(x0, y0 + 1, seed);
  const d = hash(x0 + 1, y0 + 1, seed);
  return a + (b - a) * sx + (c - a) * sy + (a - b - c + d) * sx * sy;
}

function hash(x: number, y: number, seed: number): number {
  let h = (x * 374761393 + y * 668265263 + seed * 2147483647) | 0;
  h = Math.imul(h ^ (h >>> 13), 1274126177);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967295;
}

function clampByte(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
}

/** Mulberry32: a small seeded PRNG so every run builds the same scenes. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
