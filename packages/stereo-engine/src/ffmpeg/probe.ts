import { z } from 'zod';
import { StereoEngineError } from '../errors';
import { PROBE_FORMAT_WHITELIST, acceptedDemuxerOf } from './gate';
import { startFfmpeg } from './run';

export interface Rational {
  readonly num: number;
  readonly den: number;
}

export interface ProbedStream {
  readonly index: number;
  readonly type: string;
  readonly codec: string | undefined;
}

export interface VideoStreamInfo {
  readonly index: number;
  readonly codec: string | undefined;
  /** Display size: coded size with width and height swapped when rotated by ±90°. */
  readonly width: number;
  readonly height: number;
  readonly codedWidth: number;
  readonly codedHeight: number;
  /** Rotation from the display matrix (or the legacy `rotate` tag), normalised to 0/90/180/270. */
  readonly rotation: number;
  /** Frames per second to play at: the stream's base rate (`r_frame_rate`), else its average. */
  readonly frameRate: number | undefined;
  readonly frameRateRational: Rational | undefined;
  /** Average rate (frames / duration) when the container states it. */
  readonly avgFrameRate: number | undefined;
  /** Base and average rates differ by more than 1%: timestamps are irregular. */
  readonly variableFrameRate: boolean;
  /** Exact frame count when the container states it (mp4 `nb_frames`, mkv statistics tags). */
  readonly frameCount: number | undefined;
  readonly durationSeconds: number | undefined;
  readonly pixFmt: string | undefined;
  /** Bits per colour component (8, 10, 12) when known. */
  readonly bitDepth: number | undefined;
  /** Colour description as ffprobe names it (e.g. bt709, tv), when the stream states it. */
  readonly color: ColorDescription;
}

export interface ColorDescription {
  readonly space: string | undefined;
  readonly primaries: string | undefined;
  readonly transfer: string | undefined;
  readonly range: string | undefined;
}

export interface AudioStreamInfo {
  readonly index: number;
  readonly codec: string | undefined;
  readonly sampleRate: number | undefined;
  readonly channels: number | undefined;
  readonly durationSeconds: number | undefined;
}

export interface MediaProbe {
  readonly file: string;
  readonly formatName: string;
  /** The accepted demuxer that read it: what `gatedInputArgs` forces on later runs. */
  readonly demuxer: string;
  /** Container duration (or the video stream's); undefined for still images. */
  readonly durationSeconds: number | undefined;
  readonly streams: readonly ProbedStream[];
  /** The first video stream that is not cover art. */
  readonly video: VideoStreamInfo | undefined;
  readonly audio: AudioStreamInfo | undefined;
  readonly hasVideo: boolean;
  readonly hasAudio: boolean;
  /** A single picture (png, jpg, webp, bmp, tiff...) rather than a video. */
  readonly isStillImage: boolean;
}

const numeric = z.union([z.number(), z.string()]).optional();

const FfprobeStreamSchema = z.looseObject({
  index: z.number(),
  codec_type: z.string().optional(),
  codec_name: z.string().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
  coded_width: z.number().optional(),
  coded_height: z.number().optional(),
  pix_fmt: z.string().optional(),
  color_space: z.string().optional(),
  color_primaries: z.string().optional(),
  color_transfer: z.string().optional(),
  color_range: z.string().optional(),
  bits_per_raw_sample: numeric,
  r_frame_rate: z.string().optional(),
  avg_frame_rate: z.string().optional(),
  nb_frames: numeric,
  duration: numeric,
  sample_rate: numeric,
  channels: z.number().optional(),
  disposition: z.looseObject({ attached_pic: z.number().optional() }).optional(),
  tags: z.record(z.string(), z.string()).optional(),
  side_data_list: z.array(z.looseObject({ rotation: numeric })).optional(),
});
type FfprobeStream = z.infer<typeof FfprobeStreamSchema>;

const FfprobeOutputSchema = z.object({
  streams: z.array(FfprobeStreamSchema).default([]),
  format: z.looseObject({ format_name: z.string().optional(), duration: numeric }).optional(),
});

const STILL_IMAGE_CODECS = new Set(['png', 'mjpeg', 'webp', 'bmp', 'tiff', 'jpeg2000', 'jpegls', 'qoi', 'pam', 'ppm']);

export interface ProbeOptions {
  readonly signal?: AbortSignal;
  /** See FfmpegRunOptions.idleTimeoutMs. */
  readonly idleTimeoutMs?: number;
}

/**
 * Reads a media file's facts with ffprobe (container and stream headers; no decoding, so it is
 * fast on any length), through the gate: only the accepted demuxers may read it
 * (`-format_whitelist`), so a playlist or concat list is refused with UNSUPPORTED_CONTAINER
 * before it opens anything it names. Rejects with UNREADABLE_INPUT (permanent) when ffprobe
 * cannot open it. A file without video resolves with `hasVideo: false`; `requireVideo` turns that
 * into an error.
 */
export async function probeMedia(file: string, options: ProbeOptions = {}): Promise<MediaProbe> {
  const chunks: Buffer[] = [];
  const probe = startFfmpeg(
    [
      ...['-v', 'error', '-format_whitelist', PROBE_FORMAT_WHITELIST],
      ...['-print_format', 'json', '-show_format', '-show_streams', '-i', file],
    ],
    {
      tool: 'ffprobe',
      stdout: 'pipe',
      signal: options.signal,
      ...(options.idleTimeoutMs !== undefined ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
    },
  );
  probe.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
  await probe.done;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw new StereoEngineError('UNREADABLE_INPUT', `ffprobe printed no readable description of ${file}`, {
      cause: error,
    });
  }
  const parsed = FfprobeOutputSchema.safeParse(json);
  if (!parsed.success) {
    throw new StereoEngineError('UNREADABLE_INPUT', `ffprobe's description of ${file} is not understood`, {
      cause: parsed.error,
    });
  }
  return toMediaProbe(file, parsed.data);
}

/** The probe's video stream, or NO_VIDEO_STREAM (permanent). */
export function requireVideo(probe: MediaProbe): VideoStreamInfo {
  if (!probe.video) {
    throw new StereoEngineError('NO_VIDEO_STREAM', `${probe.file} has no video stream`, { permanent: true });
  }
  return probe.video;
}

function toMediaProbe(file: string, data: z.infer<typeof FfprobeOutputSchema>): MediaProbe {
  const formatName = data.format?.format_name ?? '';
  const videoStream = data.streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  const audioStream = data.streams.find((s) => s.codec_type === 'audio');
  const demuxer = acceptedDemuxerOf(formatName, file, videoStream?.codec_name);
  const isStillImage =
    videoStream !== undefined &&
    (/_pipe$/.test(formatName) || formatName === 'image2') &&
    STILL_IMAGE_CODECS.has(videoStream.codec_name ?? '');
  const video = videoStream ? toVideoInfo(videoStream, isStillImage) : undefined;
  const durationSeconds = isStillImage ? undefined : (toNumber(data.format?.duration) ?? video?.durationSeconds);
  return {
    file,
    formatName,
    demuxer,
    durationSeconds,
    streams: data.streams.map((s) => ({ index: s.index, type: s.codec_type ?? 'unknown', codec: s.codec_name })),
    video,
    audio: audioStream
      ? {
          index: audioStream.index,
          codec: audioStream.codec_name,
          sampleRate: toNumber(audioStream.sample_rate),
          channels: audioStream.channels,
          durationSeconds: toNumber(audioStream.duration),
        }
      : undefined,
    hasVideo: video !== undefined,
    hasAudio: audioStream !== undefined,
    isStillImage,
  };
}

function toVideoInfo(stream: FfprobeStream, isStillImage: boolean): VideoStreamInfo {
  const codedWidth = stream.width ?? stream.coded_width ?? 0;
  const codedHeight = stream.height ?? stream.coded_height ?? 0;
  const rotation = rotationOf(stream);
  const swapped = rotation === 90 || rotation === 270;
  const base = parseRational(stream.r_frame_rate);
  const avg = parseRational(stream.avg_frame_rate);
  const baseRate = base ? base.num / base.den : undefined;
  const avgRate = avg ? avg.num / avg.den : undefined;
  // A base rate far above the average is a timebase artefact of VFR files (e.g. 90000/1).
  const useAvg = avgRate !== undefined && (baseRate === undefined || baseRate > 2 * avgRate);
  const variableFrameRate =
    baseRate !== undefined && avgRate !== undefined && Math.abs(baseRate - avgRate) > 0.01 * avgRate;
  return {
    index: stream.index,
    codec: stream.codec_name,
    width: swapped ? codedHeight : codedWidth,
    height: swapped ? codedWidth : codedHeight,
    codedWidth,
    codedHeight,
    rotation,
    frameRate: isStillImage ? undefined : useAvg ? avgRate : baseRate,
    frameRateRational: isStillImage ? undefined : useAvg ? avg : base,
    avgFrameRate: avgRate,
    variableFrameRate: !isStillImage && variableFrameRate,
    frameCount: isStillImage ? 1 : frameCountOf(stream),
    durationSeconds: toNumber(stream.duration),
    pixFmt: stream.pix_fmt,
    bitDepth: toNumber(stream.bits_per_raw_sample) ?? bitDepthOfPixFmt(stream.pix_fmt),
    color: {
      space: known(stream.color_space),
      primaries: known(stream.color_primaries),
      transfer: known(stream.color_transfer),
      range: known(stream.color_range),
    },
  };
}

function rotationOf(stream: FfprobeStream): number {
  const fromMatrix = stream.side_data_list?.map((d) => toNumber(d.rotation)).find((r) => r !== undefined);
  const raw = fromMatrix ?? toNumber(stream.tags?.rotate) ?? 0;
  return (((Math.round(raw / 90) * 90) % 360) + 360) % 360;
}

function frameCountOf(stream: FfprobeStream): number | undefined {
  const tags = stream.tags ?? {};
  const candidates = [toNumber(stream.nb_frames), toNumber(tags.NUMBER_OF_FRAMES), toNumber(tags['NUMBER_OF_FRAMES-eng'])];
  return candidates.find((n) => n !== undefined && Number.isInteger(n) && n > 0);
}

function bitDepthOfPixFmt(pixFmt: string | undefined): number | undefined {
  if (!pixFmt) return undefined;
  const match = /p(\d{2})(le|be)$/.exec(pixFmt);
  return match ? Number(match[1]) : 8;
}

export function parseRational(text: string | undefined): Rational | undefined {
  if (!text) return undefined;
  const [numText, denText = '1'] = text.split('/');
  const num = Number(numText);
  const den = Number(denText);
  if (!Number.isFinite(num) || !Number.isFinite(den) || num <= 0 || den <= 0) return undefined;
  return { num, den };
}

function known(value: string | undefined): string | undefined {
  return value && value !== 'unknown' && value !== 'reserved' ? value : undefined;
}

function toNumber(value: number | string | undefined): number | undefined {
  if (value === undefined || value === '' || value === 'N/A') return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : undefined;
}
