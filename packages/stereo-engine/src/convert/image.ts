import { DepthEstimator } from '../depth/estimator';
import { StereoEngineError } from '../errors';
import { gatedInputArgs } from '../ffmpeg/gate';
import type { MediaProbe, VideoStreamInfo } from '../ffmpeg/probe';
import { startFfmpeg, type FfmpegProcess } from '../ffmpeg/run';
import { frameLayout, type PlanarFormat } from '../frame/planar';
import { StereoRenderer } from '../stereo/renderer';
import { evenCropFilter, imageCodecArgs, isImagePath, videoCodecArgs } from './encoding';
import { renderOptionsOf, type ConvertResult, type ResolvedConvertOptions } from './options';
import { PendingOutput } from './output-file';
import { finish, writeTo } from './pipes';

/** A finer grid than for video: one frame, so the cost does not matter and edges gain. */
export const IMAGE_DEPTH_RESOLUTION = 384;

/**
 * Converts a still image: decode it to RGB planes at its exact size, estimate depth, render the
 * pair, encode by the output's extension (png, jpg, webp...; a video extension gives a
 * one-frame video). Everything happens on the calling thread.
 */
export async function convertImage(
  options: ResolvedConvertOptions,
  probe: MediaProbe,
  video: VideoStreamInfo,
): Promise<ConvertResult> {
  const started = performance.now();
  const { width, height } = video;
  const layout = frameLayout('gbrp', width, height);
  const frame = await decodeOneFrame(probe, layout.byteLength, options.signal);

  const estimator = new DepthEstimator(layout, {
    resolution: options.depthResolution ?? IMAGE_DEPTH_RESOLUTION,
    temporal: false,
  });
  const field = estimator.estimate(frame);
  const renderer = new StereoRenderer(layout, estimator.size, renderOptionsOf(options, options.mode));
  const out = new Uint8Array(renderer.outputLayout.byteLength);
  const depth = options.depthOut ? new Uint8Array(width * height) : undefined;
  renderer.render(frame, field, out, depth);

  const { width: outWidth, height: outHeight } = renderer.outputLayout;
  const output = await PendingOutput.create(options.output);
  const depthOutput = options.depthOut ? await PendingOutput.create(options.depthOut) : undefined;
  try {
    const written = await encodeStill(out, 'gbrp', outWidth, outHeight, output, options);
    if (depthOutput && depth) await encodeStill(depth, 'gray', width, height, depthOutput, options);
    await output.commit();
    await depthOutput?.commit();
    return {
      frames: 1,
      seconds: (performance.now() - started) / 1000,
      width,
      height,
      outputWidth: written.width,
      outputHeight: written.height,
      hasAudio: false,
      durationSeconds: 0,
    };
  } catch (error) {
    await Promise.all([output.discard(), depthOutput?.discard()]);
    throw error;
  }
}

async function decodeOneFrame(probe: MediaProbe, bytes: number, signal: AbortSignal | undefined): Promise<Uint8Array> {
  const input = probe.file;
  const decoder = startFfmpeg(
    ['-v', 'warning', ...gatedInputArgs(probe), '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'gbrp', 'pipe:1'],
    { signal, stdout: 'pipe' },
  );
  const frame = new Uint8Array(bytes);
  let filled = 0;
  decoder.stdout?.on('data', (chunk: Buffer) => {
    const n = Math.min(chunk.length, bytes - filled);
    frame.set(chunk.subarray(0, n), filled);
    filled += n;
  });
  const { stderrTail } = await decoder.done;
  if (filled < bytes) {
    throw new StereoEngineError('ZERO_FRAMES', `${input}: the image could not be decoded`, { stderrTail });
  }
  return frame;
}

async function encodeStill(
  bytes: Uint8Array,
  pixFmt: PlanarFormat | 'gray',
  width: number,
  height: number,
  target: PendingOutput,
  options: ResolvedConvertOptions,
): Promise<{ width: number; height: number }> {
  const asImage = isImagePath(target.finalPath);
  const crop = asImage ? undefined : evenCropFilter(width, height, options.pixFmt);
  const args = [
    '-v', 'warning', '-nostats', '-y',
    '-f', 'rawvideo', '-pix_fmt', pixFmt, '-video_size', `${width}x${height}`, '-i', 'pipe:0',
    '-frames:v', '1',
    ...(crop ? ['-vf', crop] : []),
    ...(asImage ? [...imageCodecArgs(target.finalPath), '-update', '1'] : videoCodecArgs(options)),
    target.tempPath,
  ];
  const encoder: FfmpegProcess = startFfmpeg(args, { signal: options.signal, stdin: 'pipe' });
  try {
    await writeTo(encoder, bytes);
    await finish(encoder);
  } catch (error) {
    encoder.kill();
    await encoder.done.catch(() => undefined);
    throw error;
  }
  return crop ? { width: width - (width % 2), height: height - (height % 2) } : { width, height };
}
