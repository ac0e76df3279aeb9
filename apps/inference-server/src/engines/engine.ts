import type { Logger } from '@stereo-spot/logging';
import type { OutputMode, StereoParams } from '@stereo-spot/shared-types';

export const ENGINE_NAMES = ['iw3', 'builtin'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

export interface EngineConversion {
  /** A local video file (the downloaded segment). */
  readonly inputPath: string;
  /** A scratch folder the engine may write into; removed after the request. */
  readonly workDir: string;
  readonly mode: OutputMode;
  readonly stereo: StereoParams;
  readonly signal: AbortSignal;
  readonly logger: Logger;
}

export interface EngineResult {
  /** The converted file (inside `workDir`). */
  readonly outputPath: string;
  /** Frames in the converted video, when known. */
  readonly frames?: number;
}

/**
 * Turns one local 2D video into a stereo video (iw3, or the builtin stereo-engine package behind
 * this interface). One engine serves one request at a time.
 */
export interface ConversionEngine {
  readonly name: EngineName;
  /** Resolves once the engine can convert; rejects with a readable reason when it never will. */
  start(): Promise<void>;
  convert(conversion: EngineConversion): Promise<EngineResult>;
}
