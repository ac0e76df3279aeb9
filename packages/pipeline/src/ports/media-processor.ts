/** Facts about a video file that chunking and reassembly need. */
export interface MediaInfo {
  readonly durationSeconds: number;
  readonly hasVideo: boolean;
  readonly hasAudio: boolean;
  readonly width?: number;
  readonly height?: number;
  readonly frameRate?: number;
}

export interface SplitResult {
  /** Segment files in playback order; the audio is left out (restored at reassembly). */
  readonly files: readonly string[];
}

/**
 * The video plumbing around conversion (ffmpeg on every platform). Errors for unreadable or
 * broken media carry `permanent: true`.
 */
export interface MediaProcessor {
  probe(filePath: string, signal?: AbortSignal): Promise<MediaInfo>;
  /** Splits at keyframes into segments of about `segmentSeconds`, video only, into `outputDir`. */
  split(
    filePath: string,
    segmentSeconds: number,
    outputDir: string,
    signal?: AbortSignal,
  ): Promise<SplitResult>;
  /**
   * Concatenates converted segments in the given order, takes the audio from `audioSourcePath`
   * (when it has audio), writes `outputPath` with +faststart.
   */
  concat(
    segmentPaths: readonly string[],
    audioSourcePath: string | undefined,
    outputPath: string,
    signal?: AbortSignal,
  ): Promise<void>;
}
