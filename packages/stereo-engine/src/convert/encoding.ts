import path from 'node:path';
import type { PlanarFormat } from '../frame/planar';
import type { AudioStreamInfo, ColorDescription, VideoStreamInfo } from '../ffmpeg/probe';
import type { YuvEncoding, YuvMatrix } from '../stereo/anaglyph';

/** Still-image outputs, by extension (anything else is encoded as a video). */
const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.webp', '.bmp', '.tif', '.tiff']);

export function isImagePath(file: string): boolean {
  return IMAGE_EXTENSIONS.has(path.extname(file).toLowerCase());
}

/** Pixel formats with 4:2:0 chroma (a source's, or an output's). */
export function isChroma420(pixFmt: string): boolean {
  return /^(yuv420|yuvj420|nv12|nv21|p010|p016)/.test(pixFmt);
}

/** The working format for a mode and output pixel format (see frame/planar.ts). */
export function workingFormatFor(mode: string, pixFmt: string, image: boolean): PlanarFormat {
  if (mode === 'anaglyph' || image) return 'gbrp';
  return isChroma420(pixFmt) ? 'yuv420p' : 'yuv444p';
}

/** Source pixel formats whose samples are Y′CbCr (what a video anaglyph can work on). */
const YUV_PIX_FMT = /^(yuv|yuvj|nv12|nv16|nv21|nv24|nv42|p010|p016|p210|p216|p410|p416|y210|y212|y216|ayuv|uyvy|yuyv|yvyu|vuya)/;

/** The matrix each ffmpeg colour space name means; names not here are treated as untagged. */
const MATRIX_OF_SPACE: Readonly<Record<string, YuvMatrix>> = {
  bt709: 'bt709',
  smpte170m: 'bt601',
  bt470bg: 'bt601',
  bt2020nc: 'bt2020',
  bt2020c: 'bt2020',
  smpte240m: 'smpte240m',
};

/**
 * How a video anaglyph reads the source's YUV, or undefined when it works in gbrp instead (an
 * RGB or gray source, or an RGB output format, where the YUV path would add conversions).
 * Tagged sources: their matrix and range, as swscale honours them when it converts to RGB.
 * Untagged: BT.709 for HD (width ≥ 1280 or height > 576), else BT.601, which is what players
 * assume (mpv's rule, browsers alike), so the anaglyph has the colours viewers see in the
 * source; swscale itself would take BT.601 whatever the size. Range: full when tagged pc or a
 * yuvj format, else limited.
 */
export function videoAnaglyphSource(video: VideoStreamInfo, outputPixFmt: string): YuvEncoding | undefined {
  if (!video.pixFmt || !YUV_PIX_FMT.test(video.pixFmt) || !YUV_PIX_FMT.test(outputPixFmt)) return undefined;
  const tagged = video.color.space ? MATRIX_OF_SPACE[video.color.space] : undefined;
  const hd = video.width >= 1280 || video.height > 576;
  return {
    matrix: tagged ?? (hd ? 'bt709' : 'bt601'),
    fullRange: video.color.range === 'pc' || video.pixFmt.startsWith('yuvj'),
  };
}

/** Encoders for which the audio of each container can be copied as is. */
const COPYABLE_AUDIO: Readonly<Record<string, ReadonlySet<string> | 'any'>> = {
  '.mp4': new Set(['aac', 'mp3', 'ac3', 'eac3', 'alac', 'opus']),
  '.m4v': new Set(['aac', 'mp3', 'ac3', 'eac3', 'alac', 'opus']),
  '.mov': new Set(['aac', 'mp3', 'ac3', 'eac3', 'alac', 'pcm_s16le', 'pcm_s24le']),
  '.mkv': 'any',
  '.webm': new Set(['opus', 'vorbis']),
  '.avi': new Set(['mp3', 'ac3', 'pcm_s16le']),
};

/**
 * Audio arguments: copy when the output container takes the source codec, else re-encode (AAC,
 * or Opus for WebM, which takes no AAC).
 */
export function audioArgs(output: string, audio: AudioStreamInfo): string[] {
  const ext = path.extname(output).toLowerCase();
  const copyable = COPYABLE_AUDIO[ext];
  if (copyable === 'any' || (copyable && audio.codec && copyable.has(audio.codec))) return ['-c:a', 'copy'];
  if (ext === '.webm') return ['-c:a', 'libopus', '-b:a', '160k'];
  return ['-c:a', 'aac', '-b:a', '192k'];
}

export interface VideoEncoding {
  readonly codec: string;
  readonly crf: number;
  readonly preset: string;
  readonly pixFmt: string;
}

/** Encoder arguments for one video output (codec, rate control, pixel format). */
export function videoCodecArgs(encoding: VideoEncoding): string[] {
  const { codec, crf, preset, pixFmt } = encoding;
  const args = ['-c:v', codec];
  if (codec === 'libx264' || codec === 'libx265') args.push('-preset', preset, '-crf', String(crf));
  else if (codec === 'libvpx-vp9' || codec === 'libaom-av1') args.push('-crf', String(crf), '-b:v', '0');
  else if (codec === 'libsvtav1') args.push('-crf', String(crf));
  if (codec === 'libx265') args.push('-x265-params', 'log-level=error');
  args.push('-pix_fmt', pixFmt);
  return args;
}

/** x264 and most players need even sizes for chroma-subsampled formats. */
export function needsEvenSize(pixFmt: string): boolean {
  return /^(yuv420|yuvj420|yuv422|yuvj422|nv12|nv21|yuv411)/.test(pixFmt);
}

/** Filter arguments to crop an odd size to even for subsampled output formats. */
export function evenCropFilter(width: number, height: number, pixFmt: string): string | undefined {
  if (!needsEvenSize(pixFmt) || (width % 2 === 0 && height % 2 === 0)) return undefined;
  return `crop=${width - (width % 2)}:${height - (height % 2)}:0:0`;
}

/**
 * Colour tags for the output. YUV working frames are the source's samples untouched, so the
 * source's description is copied; RGB working frames are converted to BT.709 by our scale
 * filter, and a video anaglyph's YUV frames are BT.709 already (`bt709`).
 */
export function colorArgs(format: PlanarFormat, color: ColorDescription | undefined, bt709 = format === 'gbrp'): string[] {
  if (bt709) {
    return ['-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709', '-color_range', 'tv'];
  }
  const args: string[] = [];
  if (color?.space) args.push('-colorspace', color.space);
  if (color?.primaries) args.push('-color_primaries', color.primaries);
  if (color?.transfer) args.push('-color_trc', color.transfer);
  if (color?.range) args.push('-color_range', color.range);
  return args;
}

/** Containers that benefit from the index at the front (progressive playback). */
export function containerArgs(output: string): string[] {
  const ext = path.extname(output).toLowerCase();
  return ext === '.mp4' || ext === '.mov' || ext === '.m4v' ? ['-movflags', '+faststart'] : [];
}

/** Encoder arguments for a still-image output, by extension. */
export function imageCodecArgs(output: string): string[] {
  const ext = path.extname(output).toLowerCase();
  if (ext === '.jpg' || ext === '.jpeg') return ['-c:v', 'mjpeg', '-q:v', '2'];
  if (ext === '.webp') return ['-c:v', 'libwebp', '-quality', '92'];
  return [];
}
