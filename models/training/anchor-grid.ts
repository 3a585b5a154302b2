import { gridCells } from '../decoders/shape.ts';

/** Anchor points of a multi-level detector head, in the decoder's cell order (level by level, row-major). */
export interface AnchorGrid {
  /** Anchor count over all levels. */
  readonly count: number;
  /** Centre x, y in input pixels, per anchor. */
  readonly cx: Float32Array;
  readonly cy: Float32Array;
  /** Stride of each anchor's level. */
  readonly stride: Float32Array;
  /** Level index of each anchor. */
  readonly level: Uint8Array;
  /** First anchor of each level, plus the total at the end. */
  readonly levelStart: readonly number[];
  /** Grid columns and rows per level. */
  readonly cols: readonly number[];
  readonly rows: readonly number[];
}

/**
 * Builds the anchor points the GFL decoder uses: cell (col, row) at stride s has its centre at
 * (col * s + (s - 1) / 2, row * s + (s - 1) / 2), grids ceil(input / s) wide.
 */
export function buildAnchorGrid(inputWidth: number, inputHeight: number, strides: readonly number[]): AnchorGrid {
  const cols = strides.map((s) => gridCells(inputWidth, s));
  const rows = strides.map((s) => gridCells(inputHeight, s));
  const levelStart = [0];
  strides.forEach((_, l) => levelStart.push(levelStart[l]! + cols[l]! * rows[l]!));
  const count = levelStart[strides.length]!;
  const cx = new Float32Array(count);
  const cy = new Float32Array(count);
  const stride = new Float32Array(count);
  const level = new Uint8Array(count);
  strides.forEach((s, l) => {
    const half = (s - 1) / 2;
    for (let i = 0; i < cols[l]! * rows[l]!; i++) {
      const a = levelStart[l]! + i;
      cx[a] = (i % cols[l]!) * s + half;
      cy[a] = Math.floor(i / cols[l]!) * s + half;
      stride[a] = s;
      level[a] = l;
    }
  });
  return { count, cx, cy, stride, level, levelStart, cols, rows };
}
