import type { StereoEngineErrorCode } from '../errors';
import { ACCEPTED_FORMATS_TEXT } from './gate';

export interface FailureClass {
  readonly code: StereoEngineErrorCode;
  readonly permanent: boolean;
  readonly reason: string;
}

/** ffmpeg's words for an input it cannot read (container or bitstream damaged, not media). */
const UNREADABLE_PATTERNS: readonly RegExp[] = [
  /Invalid data found when processing input/i,
  /moov atom not found/i,
  /could not find codec parameters/i,
  /EBML header parsing failed/i,
  /Format .* detected only with low score/i,
  /Failed to read frame size/i,
  /Unknown input format/i,
];

const NO_STREAM_PATTERNS: readonly RegExp[] = [
  /Stream map '[^']*v[^']*' matches no streams/i,
  /Output file #?\d* does not contain any stream/i,
  /does not contain any stream/i,
];

/**
 * Decides from ffmpeg's stderr whether a failure is the input's fault (permanent) or the
 * machine's (transient). `inputs` are the paths passed with `-i`: ffmpeg prefixes an error
 * about opening a file with its path, which tells an unreadable input from an unwritable output.
 */
export function classifyFfmpegFailure(stderrTail: string, inputs: readonly string[]): FailureClass {
  const lines = stderrTail.split('\n');
  // The gate's refusals come first: ffmpeg then also prints "<input>: Invalid argument".
  const refused = lines.find((l) => /(Format|Protocol) .*not on whitelist/i.test(l));
  if (refused !== undefined) {
    const found = /^\[(\w+) @/.exec(refused)?.[1] ?? /Protocol '([^']+)'/.exec(refused)?.[1] ?? 'unknown';
    return {
      code: 'UNSUPPORTED_CONTAINER',
      permanent: true,
      reason: `the format "${found}" is not accepted (${ACCEPTED_FORMATS_TEXT}); playlists, concat lists and inputs that name other files or URLs are refused`,
    };
  }
  for (const input of inputs) {
    if (input === '-' || input.startsWith('pipe:')) continue;
    const line = lines.find((l) => l.startsWith(`${input}: `));
    if (line) {
      return { code: 'UNREADABLE_INPUT', permanent: true, reason: line.slice(input.length + 2) };
    }
  }
  for (const pattern of NO_STREAM_PATTERNS) {
    const line = lines.find((l) => pattern.test(l));
    if (line) return { code: 'NO_VIDEO_STREAM', permanent: true, reason: line };
  }
  for (const pattern of UNREADABLE_PATTERNS) {
    const line = lines.find((l) => pattern.test(l));
    if (line) return { code: 'UNREADABLE_INPUT', permanent: true, reason: line };
  }
  return { code: 'FFMPEG_FAILED', permanent: false, reason: lines.filter(Boolean).pop() ?? 'no output' };
}

/** The paths that follow `-i` in an ffmpeg argument list. */
export function inputPathsOf(args: readonly string[]): string[] {
  const inputs: string[] = [];
  args.forEach((arg, i) => {
    const next = args[i + 1];
    if (arg === '-i' && next !== undefined) inputs.push(next);
  });
  return inputs;
}
