/**
 * When the iw3 engine may call itself ready: the weights a conversion needs are on disk (as the
 * image build recorded them), the installed iw3 offers the configured depth model and method,
 * and, with IW3_REQUIRE_GPU, torch sees a CUDA device. Each rule fails with a sentence that says
 * what to change; the checks themselves are pure so the rules are unit-tested.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { InferenceConfigError } from '../errors';
import { effectiveModels, type Iw3Tuning } from './iw3-args';
import { NUNIF_COMMIT } from './iw3-pinned';

/** Written into NUNIF_DIR by the image build (docker/stereocrafter-sagemaker/iw3_weights.py). */
export const WEIGHTS_MANIFEST_FILE = 'stereo-spot-weights.json';

export interface Iw3ReadinessSettings {
  /** IW3_REQUIRE_GPU=1: refuse to start when torch sees no CUDA device (the image sets it). */
  readonly requireGpu: boolean;
  /** IW3_WEIGHTS_MANIFEST; default `<NUNIF_DIR>/stereo-spot-weights.json`. */
  readonly weightsManifest?: string;
}

const ReadinessEnvSchema = z.object({
  IW3_REQUIRE_GPU: z.preprocess(
    (value) => (typeof value === 'string' && value.trim() === '' ? undefined : value),
    z
      .enum(['0', '1', 'true', 'false'], { error: 'IW3_REQUIRE_GPU must be 1 or 0' })
      .optional()
      .transform((value) => value === '1' || value === 'true'),
  ),
  IW3_WEIGHTS_MANIFEST: z.preprocess(
    (value) => (typeof value === 'string' && value.trim() === '' ? undefined : value),
    z.string().optional(),
  ),
});

export function parseIw3Readiness(env: Readonly<Record<string, string | undefined>>): Iw3ReadinessSettings {
  const parsed = ReadinessEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new InferenceConfigError(parsed.error.issues.map((issue) => issue.message).join('; '));
  }
  return {
    requireGpu: parsed.data.IW3_REQUIRE_GPU,
    ...(parsed.data.IW3_WEIGHTS_MANIFEST ? { weightsManifest: parsed.data.IW3_WEIGHTS_MANIFEST } : {}),
  };
}

export const WeightsManifestSchema = z.object({
  nunif_commit: z.string(),
  depth_models: z.array(z.string()).min(1),
  methods: z.array(z.string()).min(1),
  scene_detect: z.boolean(),
  /** Paths relative to NUNIF_DIR. */
  files: z.array(z.object({ path: z.string().min(1), bytes: z.number().int().nonnegative() })),
});
export type WeightsManifest = z.infer<typeof WeightsManifestSchema>;

const REBUILD_HINT = 'rebuild the image with it in the IW3_DEPTH_MODELS / IW3_METHODS build arguments';

/**
 * Fails unless the manifest is for the pinned nunif, lists the depth model and method the
 * settings select and the scene-detection weights, and every file it lists is on disk whole.
 */
export async function checkWeights(manifestPath: string, nunifDir: string, tuning: Iw3Tuning): Promise<WeightsManifest> {
  const manifest = await readManifest(manifestPath);
  const problems: string[] = [];
  if (manifest.nunif_commit !== NUNIF_COMMIT) {
    problems.push(
      `the weights were prepared for nunif ${manifest.nunif_commit}, this server is written against ${NUNIF_COMMIT}`,
    );
  }
  const { depthModel, method } = effectiveModels(tuning);
  if (!manifest.depth_models.includes(depthModel)) {
    problems.push(
      `depth model ${depthModel} (IW3_DEPTH_MODEL) has no weights in the image (it has ${manifest.depth_models.join(', ')}): ${REBUILD_HINT}`,
    );
  }
  if (!manifest.methods.includes(method)) {
    problems.push(
      `method ${method} (IW3_METHOD) has no weights in the image (it has ${manifest.methods.join(', ')}): ${REBUILD_HINT}`,
    );
  }
  if (!manifest.scene_detect) problems.push('the scene-detection weights (TransNetV2, for --scene-detect) are missing');
  const damaged: string[] = [];
  for (const file of manifest.files) {
    const size = await stat(path.resolve(nunifDir, file.path)).then(
      (info) => (info.isFile() ? info.size : -1),
      () => undefined,
    );
    if (size === undefined) damaged.push(`${file.path} is missing`);
    else if (size !== file.bytes) damaged.push(`${file.path} has ${size} bytes, not ${file.bytes}`);
  }
  if (damaged.length > 0) {
    const shown = damaged.slice(0, 5).join('; ');
    problems.push(`weights listed in ${manifestPath} are not on disk: ${shown}${damaged.length > 5 ? ` (and ${damaged.length - 5} more)` : ''}`);
  }
  if (problems.length > 0) throw new InferenceConfigError(`iw3 is not ready: ${problems.join('; ')}`);
  return manifest;
}

async function readManifest(manifestPath: string): Promise<WeightsManifest> {
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch {
    throw new InferenceConfigError(
      `iw3 is not ready: no weights manifest at ${manifestPath}; the image build writes it after downloading the weights ` +
        '(docker/stereocrafter-sagemaker/iw3_weights.py); elsewhere run that script in NUNIF_DIR or set IW3_WEIGHTS_MANIFEST',
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InferenceConfigError(`iw3 is not ready: the weights manifest ${manifestPath} is not JSON`);
  }
  const parsed = WeightsManifestSchema.safeParse(json);
  if (!parsed.success) {
    const where = parsed.error.issues.map((issue) => issue.path.join('.') || '(root)').join(', ');
    throw new InferenceConfigError(`iw3 is not ready: the weights manifest ${manifestPath} is malformed at ${where}`);
  }
  return parsed.data;
}

/**
 * Run as `python -c` in NUNIF_DIR: imports torch and iw3's own parser (what `iw3.cli` imports) and
 * prints one JSON line with torch's CUDA view and the installed iw3's choice lists.
 */
export const IW3_PROBE_SCRIPT = `
import json
import torch
from iw3.utils import create_parser
choices = {}
for action in create_parser()._actions:
    if action.dest in ("depth_model", "method", "preset") and action.choices:
        choices[action.dest] = [str(choice) for choice in action.choices]
cuda = bool(torch.cuda.is_available())
print(json.dumps({
    "torch": str(torch.__version__),
    "cuda_build": torch.version.cuda,
    "cuda": cuda,
    "device": torch.cuda.get_device_name(0) if cuda else None,
    "choices": choices,
}))
`;

export const Iw3ProbeSchema = z.object({
  torch: z.string(),
  cuda_build: z.string().nullable(),
  cuda: z.boolean(),
  device: z.string().nullable(),
  choices: z.object({
    depth_model: z.array(z.string()),
    method: z.array(z.string()),
    preset: z.array(z.string()),
  }),
});
export type Iw3Probe = z.infer<typeof Iw3ProbeSchema>;

/** The probe's JSON is its last stdout line (imports may print before it). */
export function parseProbe(stdout: string): Iw3Probe {
  const line = stdout.trim().split(/\r?\n/).pop() ?? '';
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    throw new InferenceConfigError(`the iw3 start-up probe printed no JSON (last line: ${JSON.stringify(line.slice(0, 200))})`);
  }
  const parsed = Iw3ProbeSchema.safeParse(json);
  if (!parsed.success) throw new InferenceConfigError('the iw3 start-up probe printed JSON of an unexpected shape');
  return parsed.data;
}

/** The settings against the installed iw3's choices, and the GPU rule. */
export function checkProbe(probe: Iw3Probe, tuning: Iw3Tuning, requireGpu: boolean): void {
  const problems: string[] = [];
  const { depthModel, method } = effectiveModels(tuning);
  if (!probe.choices.depth_model.includes(depthModel)) {
    problems.push(`the installed iw3 has no depth model ${depthModel} (IW3_DEPTH_MODEL; it offers ${probe.choices.depth_model.join(', ')})`);
  }
  if (!probe.choices.method.includes(method)) {
    problems.push(`the installed iw3 has no method ${method} (IW3_METHOD; it offers ${probe.choices.method.join(', ')})`);
  }
  if (tuning.preset !== undefined && !probe.choices.preset.includes(tuning.preset)) {
    problems.push(`the installed iw3 has no preset ${tuning.preset} (IW3_PRESET)`);
  }
  if (requireGpu && !probe.cuda) {
    problems.push(
      `IW3_REQUIRE_GPU=1 but torch ${probe.torch} (CUDA build ${probe.cuda_build ?? 'none'}) sees no CUDA device: ` +
        'iw3 would convert on the CPU and time out; run on a GPU instance (docker run --gpus all) or set IW3_REQUIRE_GPU=0',
    );
  }
  if (problems.length > 0) throw new InferenceConfigError(`iw3 is not ready: ${problems.join('; ')}`);
}
