import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import {
  InvalidMediaError,
  UnsupportedContainerError,
  assertWithinLimits,
  inBatches,
  isPermanentError,
  type FirstFrameOptions,
  type MediaInfo,
  type MediaProcessor,
  type RgbImage,
  type SplitResult,
} from '@stereo-spot/pipeline';
import {
  gatedInputArgs,
  isStereoEngineError,
  probeMedia,
  runFfmpeg,
  startFfmpeg,
  type MediaProbe,
} from '@stereo-spot/stereo-engine';

export interface FfmpegMediaProcessorOptions {
  /** Kills an ffmpeg (or ffprobe) silent this long; 0 turns it off; default the runner's. */
  readonly idleTimeoutMs?: number;
}

/**
 * The most bytes a first frame may take (4096x4096 RGB): a picture of absurd aspect ratio, tall
 * once scaled to the preview width, is stopped rather than buffered.
 */
const MAX_PREVIEW_FRAME_BYTES = 4096 * 4096 * 3;

/** Probes remembered for files that have not changed since (chunking probes, then splits). */
const REMEMBERED_PROBES = 8;

/** Segment files probed at the same time by the truncation check. */
const SEGMENT_PROBE_CONCURRENCY = 4;

/**
 * The pipeline's media plumbing with ffmpeg (the same on every platform).
 *
 * - split: stream copy into keyframe-aligned segments, video only (`-an`), so no frame is
 *   re-encoded or lost and every segment starts on a keyframe; falls back to a re-encode with a
 *   keyframe forced at each boundary when the codec cannot be copied into mp4.
 * - concat: the converted segments in order with the concat demuxer (stream copy, continuous
 *   timestamps), the source's audio track copied (AAC when it cannot be copied), `+faststart`.
 *   Because the audio never went through the segments, the boundaries have no audio gap.
 *
 * Every input goes through the media gate (stereo-engine): probed with the accepted formats
 * only, then read with the probed demuxer forced and the `file,pipe` protocols, so a playlist
 * or concat list uploaded as a video is refused (UnsupportedContainerError) before it reads
 * anything it names.
 *
 * Input problems (unreadable, refused, no video, truncated) become permanent errors with a
 * short, readable message (the job's error); the ffmpeg details stay in the error's cause.
 */
export class FfmpegMediaProcessor implements MediaProcessor {
  private readonly run: { idleTimeoutMs?: number };
  private readonly probes = new RememberedProbes(REMEMBERED_PROBES);

  constructor(options: FfmpegMediaProcessorOptions = {}) {
    this.run = options.idleTimeoutMs !== undefined ? { idleTimeoutMs: options.idleTimeoutMs } : {};
  }

  async probe(filePath: string, signal?: AbortSignal): Promise<MediaInfo> {
    const probe = await readableProbe(filePath, signal, this.run, this.probes);
    if (probe.isStillImage) {
      throw new InvalidMediaError(
        'the upload is a still image, not a video (convert images with `stereo-spot convert`)',
      );
    }
    return {
      durationSeconds: probe.durationSeconds ?? 0,
      hasVideo: probe.hasVideo,
      hasAudio: probe.hasAudio,
      ...(probe.video !== undefined
        ? {
            width: probe.video.width,
            height: probe.video.height,
            ...(probe.video.frameRate !== undefined ? { frameRate: probe.video.frameRate } : {}),
          }
        : {}),
    };
  }

  async split(
    filePath: string,
    segmentSeconds: number,
    outputDir: string,
    signal?: AbortSignal,
  ): Promise<SplitResult> {
    // Chunking probed this file a moment ago (limits): that probe is reused while the file is unchanged.
    const source = await readableProbe(filePath, signal, this.run, this.probes);
    await mkdir(outputDir, { recursive: true });
    const pattern = path.join(outputDir, '%05d.mp4');
    const segmentArgs = ['-f', 'segment', '-segment_time', String(segmentSeconds), '-reset_timestamps', '1'];
    const input = ['-v', 'error', ...gatedInputArgs(source), '-map', '0:v:0', '-an', '-sn', '-dn'];
    try {
      await runFfmpeg([...input, '-c:v', 'copy', ...segmentArgs, '-y', pattern], { signal, ...this.run });
    } catch (error) {
      if (isPermanentError(error) || signal?.aborted) throw asInvalidMedia(error);
      // e.g. a codec mp4 cannot carry: re-encode, forcing a keyframe at every boundary.
      await clear(outputDir);
      await runFfmpeg(
        [
          ...input,
          ...['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '14', '-pix_fmt', 'yuv420p'],
          ...['-force_key_frames', `expr:gte(t,n_forced*${segmentSeconds})`],
          ...segmentArgs,
          '-y',
          pattern,
        ],
        { signal, ...this.run },
      ).catch((reencodeError: unknown) => {
        throw asInvalidMedia(reencodeError);
      });
    }
    const files = (await readdir(outputDir))
      .filter((name) => name.endsWith('.mp4'))
      .sort()
      .map((name) => path.join(outputDir, name));
    await assertNotTruncated(source, files, signal, this.run);
    return { files };
  }

  async concat(
    segmentPaths: readonly string[],
    audioSourcePath: string | undefined,
    outputPath: string,
    signal?: AbortSignal,
  ): Promise<void> {
    if (segmentPaths.length === 0) throw new InvalidMediaError('there are no segments to join');
    const listFile = `${outputPath}.segments.txt`;
    await writeFile(listFile, segmentPaths.map((file) => `file '${file.replace(/'/g, "'\\''")}'`).join('\n'));
    // The audio comes from the upload: through the gate like every other read of it. The
    // concat list is ours (our own segment files), so its demuxer is named explicitly.
    const audioSource =
      audioSourcePath !== undefined ? await probeMedia(audioSourcePath, { signal, ...this.run }).catch(asInvalidMedia) : undefined;
    const audio = audioSource !== undefined ? gatedInputArgs(audioSource) : [];
    const audioMap = audioSourcePath !== undefined ? ['-map', '1:a:0?'] : [];
    const args = (audioCodec: readonly string[]) => [
      ...['-v', 'error', '-f', 'concat', '-safe', '0', '-i', listFile, ...audio],
      ...['-map', '0:v:0', ...audioMap, '-c:v', 'copy', ...audioCodec],
      ...['-movflags', '+faststart', '-y', outputPath],
    ];
    try {
      await runFfmpeg(args(['-c:a', 'copy']), { signal, ...this.run });
    } catch (error) {
      if (audioSourcePath === undefined || isPermanentError(error) || signal?.aborted) throw error;
      // The source's audio codec cannot go into mp4 as is.
      await runFfmpeg(args(['-c:a', 'aac', '-b:a', '192k']), { signal, ...this.run });
    }
  }

  async firstFrame(filePath: string, { width, maxPixels }: FirstFrameOptions, signal?: AbortSignal): Promise<RgbImage> {
    const source = await readableProbe(filePath, signal, this.run);
    if (source.video !== undefined) {
      const { width: sourceWidth, height } = source.video;
      const size = { durationSeconds: 0, hasVideo: true, hasAudio: false, width: sourceWidth, height };
      assertWithinLimits(size, { maxPixels, maxFrameRate: Infinity, maxDurationSeconds: Infinity });
    }
    const decoder = startFfmpeg(
      [
        ...['-v', 'error', ...gatedInputArgs(source), '-map', '0:v:0', '-frames:v', '1'],
        ...['-vf', `scale=${width}:-2`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
      ],
      { signal, stdout: 'pipe', ...this.run },
    );
    const chunks: Buffer[] = [];
    let bytes = 0;
    decoder.stdout?.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > MAX_PREVIEW_FRAME_BYTES) decoder.kill();
      else chunks.push(chunk);
    });
    await decoder.done.catch((error: unknown) => {
      throw asInvalidMedia(error);
    });
    const data = Buffer.concat(chunks);
    const height = data.length / (width * 3);
    if (!Number.isInteger(height) || height < 1) {
      throw new InvalidMediaError(`the first frame could not be decoded (${data.length} bytes)`);
    }
    return { width, height, data };
  }
}

async function readableProbe(
  filePath: string,
  signal: AbortSignal | undefined,
  run: { idleTimeoutMs?: number },
  remembered?: RememberedProbes,
): Promise<MediaProbe> {
  const stats = await stat(filePath);
  if (stats.size === 0) throw new InvalidMediaError('the uploaded file is empty (0 bytes)');
  let probe = remembered?.get(filePath, stats);
  if (probe === undefined) {
    try {
      probe = await probeMedia(filePath, { signal, ...run });
    } catch (error) {
      throw asInvalidMedia(error);
    }
    remembered?.set(filePath, stats, probe);
  }
  if (!probe.hasVideo) throw new InvalidMediaError('the uploaded file has no video stream');
  return probe;
}

/**
 * The last few probes, each valid only for the very file it described: same path, inode, size,
 * modification and change times. A file replaced or written to since is probed again, so the
 * gate's demuxer always belongs to the bytes ffmpeg is about to read.
 */
class RememberedProbes {
  private readonly entries = new Map<string, { readonly fingerprint: string; readonly probe: MediaProbe }>();

  constructor(private readonly capacity: number) {}

  get(filePath: string, stats: Stats): MediaProbe | undefined {
    const entry = this.entries.get(filePath);
    return entry !== undefined && entry.fingerprint === fingerprintOf(stats) ? entry.probe : undefined;
  }

  set(filePath: string, stats: Stats, probe: MediaProbe): void {
    this.entries.delete(filePath);
    this.entries.set(filePath, { fingerprint: fingerprintOf(stats), probe });
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.capacity) break;
      this.entries.delete(oldest);
    }
  }
}

function fingerprintOf(stats: Stats): string {
  return [stats.dev, stats.ino, stats.size, stats.mtimeMs, stats.ctimeMs].join(':');
}

/**
 * A truncated upload can still be split (ffmpeg copies what is there and exits 0): compare the
 * frames the header promises with the frames the segments hold.
 */
async function assertNotTruncated(
  source: MediaProbe,
  files: readonly string[],
  signal: AbortSignal | undefined,
  run: { idleTimeoutMs?: number },
): Promise<void> {
  if (files.length === 0) throw new InvalidMediaError('the uploaded video has no frames');
  const promised = source.video?.frameCount;
  if (promised === undefined) return;
  // A few at a time: each probe is mostly process start-up, so they overlap well.
  const probes = await inBatches(
    files.map((file) => () => probeMedia(file, { signal, ...run })),
    SEGMENT_PROBE_CONCURRENCY,
  );
  const found = probes.reduce((sum, probe) => sum + (probe.video?.frameCount ?? 0), 0);
  if (found < promised) {
    throw new InvalidMediaError(
      `the uploaded video is truncated: its header promises ${promised} frames but only ${found} could be read`,
    );
  }
}

/** A permanent media error as the job's readable reason: the first line, without ffmpeg's stderr dump. */
function asInvalidMedia(error: unknown): never {
  if (!isPermanentError(error) || error instanceof InvalidMediaError || error instanceof UnsupportedContainerError) {
    throw error;
  }
  const firstLine = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
  const reason = firstLine.replace(/^ff(mpeg|probe) failed \([^)]*\): /, '').replace(/^\/\S+: /, '');
  if (isStereoEngineError(error) && error.code === 'UNSUPPORTED_CONTAINER') {
    throw new UnsupportedContainerError(`the uploaded file is not an accepted video: ${reason}`, { cause: error });
  }
  throw new InvalidMediaError(`the uploaded file is not a readable video: ${reason}`, { cause: error });
}

async function clear(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
}
