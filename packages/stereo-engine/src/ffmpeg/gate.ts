import { StereoEngineError } from '../errors';

/**
 * The one gate for user media. ffmpeg picks a demuxer from the bytes it reads, and some demuxers
 * (HLS and DASH playlists, concat lists, image sequences, ...) open other files or URLs named
 * inside the input: an 87-byte playlist uploaded as `source.mp4` would make ffmpeg read any file
 * on the worker's disk, or fetch any URL. So:
 *  - every run only speaks the `file` and `pipe` protocols (the runner adds the whitelist in
 *    front of every `-i`);
 *  - a probe accepts only the demuxers below (`-format_whitelist`) and names the one it found;
 *  - the real run forces that demuxer with `-f` (`gatedInputArgs`), so nothing is detected twice.
 */

/** Video containers and still-image formats the product accepts, by ffmpeg demuxer name. */
export const ACCEPTED_VIDEO_DEMUXERS = ['mov', 'matroska', 'avi', 'mpegts', 'flv', 'ogg'] as const;
export const ACCEPTED_IMAGE_DEMUXERS = ['png_pipe', 'jpeg_pipe', 'webp_pipe', 'bmp_pipe', 'tiff_pipe'] as const;
export const ACCEPTED_DEMUXERS: readonly string[] = [...ACCEPTED_VIDEO_DEMUXERS, ...ACCEPTED_IMAGE_DEMUXERS];

/**
 * What the probe lets through: the accepted demuxers, plus `image2`, which wins the detection of
 * a large `.jpg` (by extension) before `jpeg_pipe` has seen the end of the picture. It is never
 * used for a run: `acceptedDemuxerOf` maps it to the single-picture demuxer of the codec found.
 */
export const PROBE_FORMAT_WHITELIST = [...ACCEPTED_DEMUXERS, 'image2'].join(',');

const PIPE_DEMUXER_OF_IMAGE_CODEC: Readonly<Record<string, string>> = {
  mjpeg: 'jpeg_pipe',
  png: 'png_pipe',
  webp: 'webp_pipe',
  bmp: 'bmp_pipe',
  tiff: 'tiff_pipe',
};

/** Local files and the runner's own pipes; never a network protocol, never `concat:`/`subfile,`. */
export const PROTOCOL_WHITELIST = 'file,pipe';

/** What a user reads about the accepted formats. */
export const ACCEPTED_FORMATS_TEXT = 'MP4/MOV, MKV/WebM, AVI, MPEG-TS, FLV, Ogg videos and PNG, JPEG, WebP, BMP, TIFF images';

/**
 * The accepted demuxer among ffprobe's `format_name` (e.g. `mov,mp4,m4a,3gp,3g2,mj2` → `mov`;
 * `image2` with a jpeg → `jpeg_pipe`), or UNSUPPORTED_CONTAINER.
 */
export function acceptedDemuxerOf(formatName: string, file: string, videoCodec: string | undefined): string {
  const names = formatName.split(',');
  const demuxer =
    formatName === 'image2'
      ? PIPE_DEMUXER_OF_IMAGE_CODEC[videoCodec ?? '']
      : ACCEPTED_DEMUXERS.find((accepted) => names.includes(accepted));
  if (demuxer === undefined) throw unsupportedContainer(file, names[0] ?? 'unknown');
  return demuxer;
}

/**
 * The input arguments for a run on a probed file: its demuxer forced, so ffmpeg does not detect
 * the format again (the runner adds the protocol whitelist).
 */
export function gatedInputArgs(probe: { readonly file: string; readonly demuxer: string }): string[] {
  if (!ACCEPTED_DEMUXERS.includes(probe.demuxer)) throw unsupportedContainer(probe.file, probe.demuxer);
  return ['-f', probe.demuxer, '-i', probe.file];
}

export function unsupportedContainer(file: string, found: string): StereoEngineError {
  return new StereoEngineError(
    'UNSUPPORTED_CONTAINER',
    `${file}: the format "${found}" is not accepted (accepted: ${ACCEPTED_FORMATS_TEXT}); playlists, concat lists and inputs that name other files or URLs are refused`,
  );
}

/**
 * `-protocol_whitelist file,pipe` right in front of every `-i`: the runner applies it to every
 * run, whatever the caller built (the option closest to `-i` wins over an earlier one).
 */
export function withProtocolWhitelist(args: readonly string[]): string[] {
  return args.flatMap((arg) => (arg === '-i' ? ['-protocol_whitelist', PROTOCOL_WHITELIST, arg] : [arg]));
}
