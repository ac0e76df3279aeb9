/**
 * The built-in CPU engine (stereo-engine), in-process. For machines without a GPU and for
 * tests; the production container runs iw3.
 */
import path from 'node:path';
import { convertFile, runFfmpeg } from '@stereo-spot/stereo-engine';
import type { EngineConversion, EngineResult, ConversionEngine } from './engine';

export interface BuiltinEngineOptions {
  /** View-synthesis worker threads (BUILTIN_ENGINE_THREADS); 0 renders on the server's thread. */
  readonly threads?: number;
}

export class BuiltinEngine implements ConversionEngine {
  readonly name = 'builtin' as const;

  constructor(private readonly options: BuiltinEngineOptions = {}) {}

  /** Ready when ffmpeg runs (the engine decodes and encodes with it). */
  async start(): Promise<void> {
    await runFfmpeg(['-version']);
  }

  async convert(conversion: EngineConversion): Promise<EngineResult> {
    const outputPath = path.join(conversion.workDir, `converted-${conversion.mode}.mp4`);
    const result = await convertFile({
      input: conversion.inputPath,
      output: outputPath,
      mode: conversion.mode,
      divergence: conversion.stereo.divergence,
      convergence: conversion.stereo.convergence,
      anaglyphMethod: conversion.stereo.anaglyph_method,
      signal: conversion.signal,
      ...(this.options.threads !== undefined ? { threads: this.options.threads } : {}),
    });
    return { outputPath, frames: result.frames };
  }
}
