import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * Where the ffmpeg binaries come from, in order:
 *  1. `FFMPEG_PATH` / `FFPROBE_PATH` (an explicit choice always wins);
 *  2. the optional npm packages `ffmpeg-static` / `ffprobe-static`, when installed;
 *  3. an `ffprobe` next to an explicit `FFMPEG_PATH` (builds ship both in one folder);
 *  4. `ffmpeg` / `ffprobe` on PATH.
 * Resolution is cheap and not cached, so tests and long-lived processes see env changes.
 */
export interface FfmpegBinaries {
  readonly ffmpeg: string;
  readonly ffprobe: string;
}

export function resolveFfmpegPath(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.FFMPEG_PATH?.trim();
  if (explicit) return explicit;
  return optionalPackagePath('ffmpeg-static') ?? 'ffmpeg';
}

export function resolveFfprobePath(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.FFPROBE_PATH?.trim();
  if (explicit) return explicit;
  const fromPackage = optionalPackagePath('ffprobe-static');
  if (fromPackage) return fromPackage;
  const ffmpeg = env.FFMPEG_PATH?.trim();
  if (ffmpeg && path.isAbsolute(ffmpeg)) {
    const sibling = path.join(path.dirname(ffmpeg), path.basename(ffmpeg).replace(/ffmpeg/i, 'ffprobe'));
    if (sibling !== ffmpeg && existsSync(sibling)) return sibling;
  }
  return 'ffprobe';
}

export function resolveFfmpegBinaries(env: NodeJS.ProcessEnv = process.env): FfmpegBinaries {
  return { ffmpeg: resolveFfmpegPath(env), ffprobe: resolveFfprobePath(env) };
}

const requireOptional = createRequire(__filename);

/**
 * `ffmpeg-static` exports the path string; `ffprobe-static` exports `{ path }`. Either may be
 * absent (they are not dependencies) or installed without its binary (download skipped).
 */
function optionalPackagePath(packageName: string): string | undefined {
  let exported: unknown;
  try {
    exported = requireOptional(packageName);
  } catch {
    return undefined;
  }
  const candidate =
    typeof exported === 'string'
      ? exported
      : typeof exported === 'object' && exported !== null && 'path' in exported
        ? (exported as { path: unknown }).path
        : undefined;
  return typeof candidate === 'string' && existsSync(candidate) ? candidate : undefined;
}
