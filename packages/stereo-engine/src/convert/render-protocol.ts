import type { FrameLayout } from '../frame/planar';
import type { GridSize } from '../depth/grid';
import type { RenderOptions } from '../stereo/renderer';
import type { SlotLayout } from './frame-slots';

/** What a render worker is started with. */
export interface RenderSetup {
  readonly layout: FrameLayout;
  readonly grid: GridSize;
  readonly options: RenderOptions;
  readonly withDepth: boolean;
}

/** A render worker's start: the setup plus where each buffer lies in a slot's block. */
export interface WorkerSetup extends RenderSetup {
  readonly slotLayout: SlotLayout;
}

/**
 * Main → worker. `slot` hands over a new slot's shared block once (SharedArrayBuffers are shared,
 * not copied); `render` then names the slot whose frame and field to render into its output.
 */
export type RenderRequest =
  | { readonly kind: 'slot'; readonly slot: number; readonly block: SharedArrayBuffer }
  | { readonly kind: 'render'; readonly id: number; readonly slot: number };

/** Worker → main: the slot's output (and depth) is written. */
export type RenderReply =
  | { readonly id: number; readonly ok: true }
  | { readonly id: number; readonly ok: false; readonly message: string };
