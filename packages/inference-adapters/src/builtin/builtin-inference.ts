import path from 'node:path';
import type { BuiltinEngineConfig } from '@stereo-spot/config';
import type { AnaglyphMethod, OutputMode } from '@stereo-spot/shared-types';
import {
  withScratchDir,
  type ObjectStorage,
  type SegmentConversionRequest,
  type SegmentConversionResult,
  type StereoInference,
} from '@stereo-spot/pipeline';

/** The stereo-engine's file conversion, as this backend calls it. */
export type ConvertFile = (options: {
  input: string;
  output: string;
  mode: OutputMode;
  divergence: number;
  convergence: number;
  anaglyphMethod: AnaglyphMethod;
  preset?: string;
  depthResolution?: number;
  threads?: number;
  signal?: AbortSignal;
  onProgress?: (progress: { fraction?: number }) => void;
}) => Promise<{ frames?: number }>;

export interface BuiltinInferenceOptions {
  readonly inputStorage: ObjectStorage;
  readonly outputStorage: ObjectStorage;
  readonly convertFile: ConvertFile;
  readonly scratchDir: string;
  /** Engine tuning (BUILTIN_ENGINE_*); unset fields keep the engine's defaults. */
  readonly engine?: BuiltinEngineConfig;
}

/**
 * `INFERENCE_BACKEND=builtin`: the CPU stereo-engine in this process. Downloads the segment,
 * converts it with the job's mode and stereo parameters, uploads the result to the output key.
 * The engine's errors keep their `permanent` flag (an unreadable segment fails the job).
 */
export class BuiltinStereoInference implements StereoInference {
  readonly name = 'builtin';

  constructor(private readonly options: BuiltinInferenceOptions) {}

  async convertSegment(request: SegmentConversionRequest): Promise<SegmentConversionResult> {
    const started = Date.now();
    return withScratchDir(
      this.options.scratchDir,
      `segment-${request.jobId}-${request.segmentIndex}`,
      async (dir) => {
        const input = path.join(dir, 'input.mp4');
        const output = path.join(dir, 'output.mp4');
        await this.options.inputStorage.downloadToFile(request.inputKey, input);
        const result = await this.options.convertFile({
          input,
          output,
          mode: request.mode,
          divergence: request.stereo.divergence,
          convergence: request.stereo.convergence,
          anaglyphMethod: request.stereo.anaglyph_method,
          ...this.options.engine,
          ...(request.signal !== undefined ? { signal: request.signal } : {}),
          ...(request.onProgress !== undefined
            ? {
                onProgress: (progress: { fraction?: number }) => {
                  if (progress.fraction !== undefined) request.onProgress?.(progress.fraction);
                },
              }
            : {}),
        });
        await request.assertLease?.();
        await this.options.outputStorage.putFile(request.outputKey, output, {
          contentType: 'video/mp4',
          ifAbsent: true,
        });
        return {
          seconds: (Date.now() - started) / 1000,
          ...(result.frames !== undefined ? { frames: result.frames } : {}),
        };
      },
    );
  }
}

/** The `builtin` backend: the stereo-engine's `convertFile` in this process. */
export function createBuiltinInference(options: BuiltinInferenceOptions): StereoInference {
  return new BuiltinStereoInference(options);
}
