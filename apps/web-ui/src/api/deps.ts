import type { Logger } from '@stereo-spot/logging';
import type { Clock, IdGenerator, MediaProcessor, WebUiPorts } from '@stereo-spot/pipeline';

/** What the JSON API needs: the storage and record ports (no queue) and its settings. */
export interface ApiDeps extends WebUiPorts {
  readonly logger: Logger;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly maxUploadBytes: number;
  readonly uploadUrlTtlSeconds: number;
  readonly downloadUrlTtlSeconds: number;
  /** How often the SSE stream looks at the job for changes. */
  readonly eventsPollMs: number;
  readonly previews: PreviewSettings;
}

/** How the preview images are made: on a local copy, through the media gate, a few at once. */
export interface PreviewSettings {
  /** Reads the first frame of a local file (the media gate); never given a URL. */
  readonly media: MediaProcessor;
  /** Previews made at once (PREVIEW_CONCURRENCY). */
  readonly concurrency: number;
  /** A larger picture is not decoded (MAX_VIDEO_PIXELS). */
  readonly maxPixels: number;
  /** Folder for the local copies (one sub-folder per preview, removed afterwards). */
  readonly scratchDir: string;
}
