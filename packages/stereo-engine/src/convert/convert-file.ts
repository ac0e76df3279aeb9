import path from 'node:path';
import { StereoEngineError, abortError } from '../errors';
import { probeMedia, requireVideo } from '../ffmpeg/probe';
import { convertImage } from './image';
import { resolveConvertOptions, type ConvertOptions, type ConvertResult } from './options';
import { convertVideo } from './video';

/**
 * Converts a video or a still image (told apart by probing the input) into a stereo output.
 * Rejects with a StereoEngineError: `permanent: true` for bad input or options, ABORTED when
 * the signal fires. On any failure nothing is left under the output (or depth) name.
 */
export async function convertFile(options: ConvertOptions): Promise<ConvertResult> {
  const resolved = resolveConvertOptions(options);
  const input = path.resolve(resolved.input);
  if (input === path.resolve(resolved.output) || (resolved.depthOut && input === path.resolve(resolved.depthOut))) {
    throw new StereoEngineError('INVALID_OPTIONS', 'the output must not overwrite the input');
  }
  if (resolved.signal?.aborted) throw abortError(resolved.signal);
  const probe = await probeMedia(resolved.input, { signal: resolved.signal });
  const video = requireVideo(probe);
  return probe.isStillImage ? convertImage(resolved, probe, video) : convertVideo(resolved, probe, video);
}
