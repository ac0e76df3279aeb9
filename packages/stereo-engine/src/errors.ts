/**
 * The stereo-engine's one error class. `code` is stable (callers and logs match on it);
 * `permanent: true` means the input itself is bad and retrying cannot help (pipeline's
 * `isPermanentError` reads the flag). `stderrTail` holds the end of ffmpeg's stderr when ffmpeg
 * was involved; it is also appended to the message so a log line alone explains the failure.
 */
export type StereoEngineErrorCode =
  /** ffmpeg cannot open or decode the input (missing file, not media, corrupt header). */
  | 'UNREADABLE_INPUT'
  /**
   * The input is not one of the accepted containers or image formats (e.g. an HLS playlist or a
   * concat list, which name other files or URLs): refused before anything reads it.
   */
  | 'UNSUPPORTED_CONTAINER'
  /** The input opens but holds no video stream (audio only, data only). */
  | 'NO_VIDEO_STREAM'
  /** The input has a video stream but not one frame could be decoded. */
  | 'ZERO_FRAMES'
  /** The input ends early: fewer frames than its header promises, or a decode error mid-way. */
  | 'TRUNCATED_INPUT'
  /** Options out of range, unknown mode, output path unusable. */
  | 'INVALID_OPTIONS'
  /** The ffmpeg (or ffprobe) binary cannot be started. */
  | 'FFMPEG_NOT_FOUND'
  /** ffmpeg failed for a reason not attributable to the input (disk full, encoder crash...). */
  | 'FFMPEG_FAILED'
  /** ffmpeg produced no progress for too long and was killed. */
  | 'FFMPEG_TIMEOUT'
  /** A worker thread of the engine failed. */
  | 'WORKER_FAILED'
  /** The caller's AbortSignal fired. */
  | 'ABORTED';

export interface StereoEngineErrorDetails {
  readonly permanent?: boolean;
  readonly stderrTail?: string;
  readonly exitCode?: number | null;
  readonly cause?: unknown;
}

export class StereoEngineError extends Error {
  readonly permanent: boolean;
  readonly stderrTail: string | undefined;
  readonly exitCode: number | null | undefined;

  constructor(
    readonly code: StereoEngineErrorCode,
    message: string,
    details: StereoEngineErrorDetails = {},
  ) {
    const tail = details.stderrTail?.trim();
    super(tail ? `${message}\n--- ffmpeg stderr (tail) ---\n${tail}` : message, { cause: details.cause });
    this.name = 'StereoEngineError';
    this.permanent = details.permanent ?? PERMANENT_BY_DEFAULT.has(code);
    this.stderrTail = tail;
    this.exitCode = details.exitCode;
  }
}

const PERMANENT_BY_DEFAULT: ReadonlySet<StereoEngineErrorCode> = new Set([
  'UNREADABLE_INPUT',
  'UNSUPPORTED_CONTAINER',
  'NO_VIDEO_STREAM',
  'ZERO_FRAMES',
  'TRUNCATED_INPUT',
  'INVALID_OPTIONS',
]);

export function isStereoEngineError(error: unknown): error is StereoEngineError {
  return error instanceof StereoEngineError;
}

/** The error to throw when `signal` fired: its reason when that is already ours, else ABORTED. */
export function abortError(signal: AbortSignal | undefined, what = 'conversion'): StereoEngineError {
  const reason: unknown = signal?.reason;
  if (reason instanceof StereoEngineError) return reason;
  return new StereoEngineError('ABORTED', `${what} aborted`, { cause: reason });
}
