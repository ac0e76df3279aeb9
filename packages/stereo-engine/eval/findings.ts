/** One line of the eval's table: a measure on one case, the engine next to its baselines. */
export interface Finding {
  readonly suite: string;
  readonly case: string;
  readonly measure: string;
  readonly engine: string;
  readonly ramp: string;
  readonly identity: string;
  /** What the engine must reach, in words, and whether it did. */
  readonly target: string;
  readonly pass: boolean;
}

export const NONE = '—';

export function fixed(value: number, digits = 3): string {
  return Number.isFinite(value) ? value.toFixed(digits) : NONE;
}
