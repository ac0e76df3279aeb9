import type { FrameLayout } from '../frame/planar';
import type { GridSize } from '../depth/grid';
import type { RenderOptions } from '../stereo/renderer';

/** What a render worker is started with. */
export interface RenderSetup {
  readonly layout: FrameLayout;
  readonly grid: GridSize;
  readonly options: RenderOptions;
  readonly withDepth: boolean;
}

/** Main → worker: one frame to render. Buffers are transferred, not copied. */
export interface RenderRequest {
  readonly id: number;
  readonly frame: ArrayBuffer;
  readonly a: ArrayBuffer;
  readonly b: ArrayBuffer;
  /** A spare output buffer to reuse, when the main thread has one. */
  readonly output?: ArrayBuffer;
  readonly depth?: ArrayBuffer;
}

/** Worker → main: the rendered frame (and the input frame buffer, for reuse). */
export type RenderReply =
  | { readonly id: number; readonly ok: true; readonly frame: ArrayBuffer; readonly output: ArrayBuffer; readonly depth?: ArrayBuffer }
  | { readonly id: number; readonly ok: false; readonly message: string };
