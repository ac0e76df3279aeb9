/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array kernels: indices in range by construction */
import type { AnalysisGrid } from './grid';
import { gridMemoryOf, type GridMemory } from './memory';

// Globals captured once: under jest every global lookup in a loop goes through the test
// context's global object, which made these kernels ~30x slower there.
const { abs } = Math;
const INFINITY = Number.POSITIVE_INFINITY;

/** How far (in cells, across and down) a changed cell looks for where its content was. */
const SEARCH = 4;
/**
 * Above this share of changed cells (a pan, a camera move, a cut) cells are not followed one by
 * one: everything moved, and the search would cost more than a frame's estimate.
 */
const MAX_CHANGED_SHARE = 0.25;

/**
 * Where the content of each analysis-grid cell was in a reference frame (the last estimated one).
 * A cell whose luma changed by more than `changed` looks, within SEARCH cells, for the reference
 * cell of the closest colour (|ΔY| + |ΔCb| + |ΔCr|): a subject that moves brings its depth along,
 * instead of the cells it enters keeping the depth of what was there before and catching up
 * frames later. `source[i]` is that cell (i itself where nothing changed or nothing closer was
 * found), `mismatch[i]` the luma change between the cell and its source.
 */
export class MotionFollower {
  readonly source: Int32Array;
  readonly mismatch: Float32Array;
  /** The reference frame's planes: the remembered grid's own arrays. */
  private luma: Float32Array;
  private cb: Float32Array;
  private cr: Float32Array;
  private hasReference = false;

  constructor(
    private readonly gridWidth: number,
    private readonly gridHeight: number,
    private readonly changed: number,
    memory?: GridMemory,
  ) {
    const n = gridWidth * gridHeight;
    // In the kernels' memory when they run: `follow` runs there (with a reference grid there too).
    this.source = memory ? memory.int32(n) : new Int32Array(n);
    this.mismatch = memory ? memory.float32(n) : new Float32Array(n);
    this.luma = this.cb = this.cr = new Float32Array(0);
  }

  /** The reference frame's luma (valid after `remember`). */
  get referenceLuma(): Float32Array | undefined {
    return this.hasReference ? this.luma : undefined;
  }

  /**
   * Makes `grid` the reference frame. Its arrays are kept, not copied: the caller leaves them as
   * they are until it remembers another grid or forgets (the estimator reduces the next frames
   * into a second grid).
   */
  remember(grid: AnalysisGrid): void {
    this.luma = grid.luma;
    this.cb = grid.cb;
    this.cr = grid.cr;
    this.hasReference = true;
  }

  forget(): void {
    this.hasReference = false;
  }

  /**
   * Fills `source` and `mismatch` for `grid` against the reference; false (and nothing filled)
   * without a reference.
   */
  follow(grid: AnalysisGrid): boolean {
    if (!this.hasReference) return false;
    const { gridWidth: gw, gridHeight: gh, source, mismatch, changed } = this;
    const { luma, cb, cr } = grid;
    const kernels = gridMemoryOf(luma, cb, cr, this.luma, this.cb, this.cr, source, mismatch)?.kernels;
    if (kernels) {
      kernels.followCells(
        luma.byteOffset, cb.byteOffset, cr.byteOffset, this.luma.byteOffset, this.cb.byteOffset, this.cr.byteOffset, gw, gh, changed,
        source.byteOffset, mismatch.byteOffset,
      );
      return true;
    }
    const n = gw * gh;
    let changedCells = 0;
    for (let i = 0; i < n; i++) {
      source[i] = i;
      const change = abs(luma[i]! - this.luma[i]!);
      mismatch[i] = change;
      if (change > changed) changedCells++;
    }
    if (changedCells === 0 || changedCells > MAX_CHANGED_SHARE * n) return true;
    for (let y = 0; y < gh; y++) {
      const top = y > SEARCH ? y - SEARCH : 0;
      const bottom = y + SEARCH < gh ? y + SEARCH : gh - 1;
      for (let x = 0; x < gw; x++) {
        const i = y * gw + x;
        if (mismatch[i]! <= changed) continue;
        const left = x > SEARCH ? x - SEARCH : 0;
        const right = x + SEARCH < gw ? x + SEARCH : gw - 1;
        const l = luma[i]!;
        const u = cb[i]!;
        const v = cr[i]!;
        let best = INFINITY;
        let from = i;
        for (let yy = top; yy <= bottom; yy++) {
          for (let j = yy * gw + left, end = yy * gw + right; j <= end; j++) {
            const distance = abs(this.luma[j]! - l) + abs(this.cb[j]! - u) + abs(this.cr[j]! - v);
            if (distance < best) {
              best = distance;
              from = j;
            }
          }
        }
        const own = abs(this.luma[i]! - l) + abs(this.cb[i]! - u) + abs(this.cr[i]! - v);
        if (best < own) {
          source[i] = from;
          mismatch[i] = abs(this.luma[from]! - l);
        }
      }
    }
    return true;
  }
}
