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

/** Packed 8-bit RGB pixels, row after row. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

export interface FirstFrameOptions {
  readonly width: number;
  readonly maxPixels: number;
}

/** What an upload may be, checked at chunking before any segment is made. */
export interface MediaLimits {
  /** Largest width × height. */
  readonly maxPixels: number;
  readonly maxFrameRate: number;
  readonly maxDurationSeconds: number;
}

/**
 * The video plumbing around conversion (ffmpeg on every platform). Every method opens user media
 * only through the media gate: accepted containers only, local files only (a path, never a
 * URL). Errors for unreadable, refused or broken media carry `permanent: true`.
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
  /**
   * The first picture of a local video or image, scaled to `width` pixels wide (previews); a
   * picture larger than `maxPixels` is refused (MediaLimitError) before it is decoded.
   */
  firstFrame(filePath: string, options: FirstFrameOptions, signal?: AbortSignal): Promise<RgbImage>;
}
