import type { StereoEngineErrorCode } from '../errors';

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
