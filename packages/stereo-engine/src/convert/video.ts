import type { OutputMode } from '@stereo-spot/shared-types';
import { DepthEstimator } from '../depth/estimator';
import { StereoEngineError, abortError } from '../errors';
import { gatedInputArgs } from '../ffmpeg/gate';
import type { MediaProbe, VideoStreamInfo } from '../ffmpeg/probe';
import { startFfmpeg, type FfmpegProcess } from '../ffmpeg/run';
import { frameLayout } from '../frame/planar';
import { packedLayout } from '../stereo/geometry';
import {
  audioArgs,
  colorArgs,
  containerArgs,
  evenCropFilter,
  isChroma420,
  isImagePath,
  videoAnaglyphSource,
  videoCodecArgs,
  workingFormatFor,
} from './encoding';
import { decoderThreadsFor, renderOptionsOf, threadsFor, type ConvertResult, type ResolvedConvertOptions } from './options';
import { PendingOutput } from './output-file';
import { finish, writeTo } from './pipes';
import type { FrameSlot } from './frame-slots';
import { startFrameDecoder, type FrameDecoder } from './frame-decoder';
import { createFrameRenderer } from './render-pool';

/** Frames in flight between the decoder and the encoder, per render worker. */
const IN_FLIGHT_PER_WORKER = 2;
const PROGRESS_INTERVAL_MS = 250;
/** Raw frames the encoding ffmpeg queues from its pipe (see encoderArgs). */
const ENCODER_INPUT_QUEUE = 2;
/**
 * Video depth is re-estimated every other frame; the frame between applies the last fit to its
 * own luma (see DepthEstimatorOptions.refreshInterval). The temporal smoothing already lags more
 * than one frame, and it halves the estimation work.
 */
export const VIDEO_DEPTH_REFRESH = 2;

interface FrameRate {
  /** As ffmpeg takes it: `30000/1001`, `25`. */
  readonly text: string;
  readonly value: number;
}

/**
 * Converts a video: ffmpeg decodes raw planar frames into a socket (a pipe on Windows; see
 * startFrameDecoder); each frame's depth is
 * estimated here (it depends on the previous frame), rendered by the worker pool, and written in
 * order into an encoding ffmpeg that also copies the source's audio. Memory is bounded by the
 * frames in flight, whatever the length. Every frame is kept at the source rate unless the rate
 * is variable or above `maxFps` (then ffmpeg's fps filter makes it constant).
 */
export async function convertVideo(
  options: ResolvedConvertOptions,
  probe: MediaProbe,
  video: VideoStreamInfo,
): Promise<ConvertResult> {
  const started = performance.now();
  const { signal } = options;
  if (options.depthOut && isImagePath(options.depthOut)) {
    throw new StereoEngineError('INVALID_OPTIONS', `the depth of a video is a video: ${options.depthOut} names an image`);
  }
  const width = video.width - (video.width % 2);
  const height = video.height - (video.height % 2);
  if (width < 2 || height < 2) {
    throw new StereoEngineError('UNREADABLE_INPUT', `${options.input}: video frames of ${video.width}x${video.height} are too small`);
  }
  // Anaglyphs of YUV video work on the source's YUV: no RGB conversion in either ffmpeg; the
  // renderer converts to BT.709 YUV itself (see anaglyphYuvRow).
  const anaglyphSource = options.mode === 'anaglyph' ? videoAnaglyphSource(video, options.pixFmt) : undefined;
  // 4:2:0 sources come as they are and the renderer upsamples their chroma (cheaper than
  // swscale's conversion to 4:4:4 in the decoder); others come as 4:4:4.
  const anaglyphFormat = video.pixFmt && isChroma420(video.pixFmt) ? 'yuv420p' : 'yuv444p';
  const format = anaglyphSource ? anaglyphFormat : workingFormatFor(options.mode, options.pixFmt, false);
  const outLayout = packedLayout(options.mode, frameLayout(format, width, height));
  // Half modes squeeze each eye to half the width (height) anyway: let ffmpeg squeeze the source
  // first (swscale, in C) and synthesise at the eye's size, half the work for the same pixels.
  const work = workingPlan(options.mode, width, height, outLayout.width, outLayout.height);
  const layout = frameLayout(format, work.width, work.height);
  const rate = outputRate(video, options.maxFps);
  const capped = rate.value < (video.frameRate ?? rate.value) - 1e-6;
  const resample = video.variableFrameRate || capped;

  const threads = threadsFor(options.threads, layout.width * layout.height);

  const decodeFilters = [
    ...(width !== video.width || height !== video.height ? [`crop=${width}:${height}:0:0`] : []),
    ...(work.width !== width || work.height !== height ? [`scale=${work.width}:${work.height}:flags=bilinear`] : []),
    // Lowering the rate: the fps filter drops frames evenly (cfr alone would pad the end).
    ...(capped ? [`fps=${rate.text}`] : []),
    // Full-range samples stay full range (swscale would squeeze them into yuv444p's tv range).
    ...(anaglyphSource?.fullRange ? ['scale=out_range=pc'] : []),
  ];
  const decoderArgs = [
    '-v', 'warning', '-nostats',
    // Few decoding threads (see decoderThreadsFor); decoded bytes do not depend on them.
    '-threads', String(decoderThreadsFor(threads)),
    ...gatedInputArgs(probe),
    '-map', `0:${video.index}`,
    ...(decodeFilters.length ? ['-vf', decodeFilters.join(',')] : []),
    // Constant rate out: a constant-rate source passes frame for frame; a variable one (not
    // always detectable: MKV states no average) gets frames repeated or dropped to stay in time.
    '-fps_mode', 'cfr', '-r', rate.text,
    '-f', 'rawvideo', '-pix_fmt', format,
  ];

  const output = await PendingOutput.create(options.output);
  const depthOutput = options.depthOut ? await PendingOutput.create(options.depthOut) : undefined;
  const audio = probe.audio;
  const encodeFilters = [
    ...(format === 'gbrp' ? ['scale=out_color_matrix=bt709:out_range=tv'] : []),
    ...[evenCropFilter(outLayout.width, outLayout.height, options.pixFmt)].filter((f): f is string => !!f),
  ];
  const encoderArgs = [
    '-v', 'warning', '-nostats', '-y',
    '-f', 'rawvideo', '-pix_fmt', outLayout.format, '-video_size', `${outLayout.width}x${outLayout.height}`,
    // ffmpeg reads each input in its own thread when there are two (the audio comes from the
    // source) and queues 8 packets by default: 8 raw frames here (25 MB at 1080p). Two are
    // enough to keep the encoder fed; the encoded bytes do not change.
    '-framerate', rate.text, '-thread_queue_size', String(ENCODER_INPUT_QUEUE), '-i', 'pipe:0',
    ...(audio ? gatedInputArgs(probe) : []),
    '-map', '0:v:0',
    ...(audio ? ['-map', `1:${audio.index}`] : []),
    ...(encodeFilters.length ? ['-vf', encodeFilters.join(',')] : []),
    ...videoCodecArgs(options),
    ...colorArgs(outLayout.format, video.color, format === 'gbrp' || anaglyphSource !== undefined),
    ...(audio ? audioArgs(options.output, audio) : []),
    ...containerArgs(options.output),
    output.tempPath,
  ];
  const depthArgs = depthOutput
    ? [
        '-v', 'warning', '-nostats', '-y',
        '-f', 'rawvideo', '-pix_fmt', 'gray', '-video_size', `${work.width}x${work.height}`,
        '-framerate', rate.text, '-i', 'pipe:0',
        // Depth maps are delivered at the source's size.
        ...(work.width !== width || work.height !== height ? ['-vf', `scale=${width}:${height}`] : []),
        ...videoCodecArgs({ ...options, pixFmt: 'yuv420p' }),
        ...containerArgs(depthOutput.finalPath),
        depthOutput.tempPath,
      ]
    : undefined;

  const processes: FfmpegProcess[] = [];
  let decoding: FrameDecoder | undefined;
  const estimator = new DepthEstimator(layout, {
    resolution: options.depthResolution,
    pixelAspect: (width / work.width) * (work.height / height),
    refreshInterval: VIDEO_DEPTH_REFRESH,
  });
  const renderer = createFrameRenderer(
    {
      layout,
      grid: estimator.size,
      withDepth: depthOutput !== undefined,
      options: { ...renderOptionsOf(options, work.mode), ...(anaglyphSource ? { anaglyphSource } : {}) },
    },
    threads,
  );
  try {
    decoding = await startFrameDecoder(decoderArgs, { signal });
    const decoder = decoding.process;
    const encoder = startFfmpeg(encoderArgs, { signal, stdin: 'pipe' });
    const depthEncoder = depthArgs ? startFfmpeg(depthArgs, { signal, stdin: 'pipe' }) : undefined;
    processes.push(decoder, encoder, ...(depthEncoder ? [depthEncoder] : []));

    const totalFrames = expectedFrames(probe, video, rate, resample);
    const inFlight: Promise<FrameSlot>[] = [];
    const maxInFlight = Math.max(2, IN_FLIGHT_PER_WORKER * Math.max(1, threads));
    let written = 0;
    let lastProgress = 0;

    const reportProgress = (final: boolean): void => {
      if (!options.onProgress) return;
      const now = performance.now();
      if (!final && now - lastProgress < PROGRESS_INTERVAL_MS) return;
      lastProgress = now;
      const elapsed = (now - started) / 1000;
      options.onProgress({
        frames: written,
        fps: elapsed > 0 ? written / elapsed : 0,
        ...(totalFrames ? { totalFrames, fraction: Math.min(1, written / totalFrames) } : {}),
      });
    };
    const writeOldest = async (): Promise<void> => {
      const next = inFlight.shift();
      if (!next) return;
      const slot = await next;
      // Written straight from the slot; a pipe holds the bytes until they are flushed, so the
      // slot is reused only after that.
      const depth = depthEncoder ? slot.depth : undefined;
      let unflushed = depth ? 2 : 1;
      const release = (): void => {
        if (--unflushed === 0) renderer.release(slot);
      };
      await writeTo(encoder, slot.output, release);
      if (depthEncoder && depth) await writeTo(depthEncoder, depth, release);
      written++;
      reportProgress(false);
    };

    for await (const slot of decoding.frames(layout.byteLength, () => renderer.take())) {
      const field = estimator.estimate(slot.frame);
      const rendering = renderer.render(slot, field);
      rendering.catch(() => undefined); // awaited in order by writeOldest
      inFlight.push(rendering);
      while (inFlight.length >= maxInFlight) await writeOldest();
    }
    while (inFlight.length > 0) await writeOldest();
    if (signal?.aborted) throw abortError(signal);
    const decoded = await decoder.done.catch((error: unknown) => error);
    const decoderFailed = decoded instanceof Error;
    if (written === 0 && (!decoderFailed || (decoded instanceof StereoEngineError && decoded.permanent))) {
      throw new StereoEngineError('ZERO_FRAMES', `${options.input}: no video frame could be decoded`, {
        stderrTail: decoderFailed ? (decoded as StereoEngineError).stderrTail : (decoded as { stderrTail: string }).stderrTail,
        cause: decoderFailed ? decoded : undefined,
      });
    }
    if (decoderFailed) throw decoded;
    checkTruncation(options.input, written, totalFrames, resample, video, (decoded as { stderrTail: string }).stderrTail);
    await Promise.all([finish(encoder), ...(depthEncoder ? [finish(depthEncoder)] : [])]);
    reportProgress(true);
    await output.commit();
    await depthOutput?.commit();
    const [even] = [evenCropFilter(outLayout.width, outLayout.height, options.pixFmt)];
    return {
      frames: written,
      seconds: (performance.now() - started) / 1000,
      width,
      height,
      outputWidth: even ? outLayout.width - (outLayout.width % 2) : outLayout.width,
      outputHeight: even ? outLayout.height - (outLayout.height % 2) : outLayout.height,
      hasAudio: audio !== undefined,
      durationSeconds: written / rate.value,
    };
  } catch (error) {
    for (const process of processes) process.kill();
    await Promise.allSettled(processes.map((p) => p.done));
    await Promise.all([output.discard(), depthOutput?.discard()]);
    if (signal?.aborted) throw abortError(signal);
    throw error;
  } finally {
    await renderer.close();
    await decoding?.close();
  }
}

/** The frame size and packing the renderer works with (see the half-mode note above). */
function workingPlan(
  mode: OutputMode,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
): { mode: OutputMode; width: number; height: number } {
  if (mode === 'half-sbs') return { mode: 'sbs', width: outWidth / 2, height };
  if (mode === 'half-tb') return { mode: 'tb', width, height: outHeight / 2 };
  return { mode, width, height };
}

function outputRate(video: VideoStreamInfo, maxFps: number | undefined): FrameRate {
  const source = video.frameRateRational;
  const value = video.frameRate ?? 25;
  if (maxFps !== undefined && value > maxFps) return { text: String(maxFps), value: maxFps };
  if (source) return { text: `${source.num}/${source.den}`, value: source.num / source.den };
  return { text: String(value), value };
}

function expectedFrames(probe: MediaProbe, video: VideoStreamInfo, rate: FrameRate, resample: boolean): number | undefined {
  if (!resample && video.frameCount) return video.frameCount;
  const duration = video.durationSeconds ?? probe.durationSeconds;
  return duration ? Math.max(1, Math.round(duration * rate.value)) : undefined;
}

/**
 * A file that ends early (cut download, interrupted copy) often decodes "successfully" with
 * warnings; compare what came out with what the header promises.
 */
function checkTruncation(
  input: string,
  decoded: number,
  expected: number | undefined,
  resample: boolean,
  video: VideoStreamInfo,
  stderrTail: string,
): void {
  if (!expected) return;
  const exact = !resample && video.frameCount !== undefined;
  const complained = /error|invalid|partial|truncat|corrupt|missing/i.test(stderrTail);
  const short = exact ? decoded < expected * 0.98 - 1 : complained && decoded < expected * 0.8 - 2;
  if (short) {
    throw new StereoEngineError(
      'TRUNCATED_INPUT',
      `${input}: only ${decoded} of ${expected} frames could be decoded; the file looks truncated or damaged`,
      { stderrTail },
    );
  }
}
