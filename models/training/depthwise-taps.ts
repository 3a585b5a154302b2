import type { AnchorGrid } from './anchor-grid.ts';

/**
 * The k x k neighbourhood of every anchor on its own level's grid, as a stride-1 "same" conv
 * (pads (k - 1) / 2, dilation 1) sees it: for anchor a, entries [a * k * k, (a + 1) * k * k) hold
 * the neighbour anchor at kernel tap (dy, dx) in row-major tap order, or -1 where the tap falls
 * on the zero padding. With anchor-major cached features, a depthwise conv at one anchor is then
 * a sum over taps of contiguous channel vectors.
 */
export function depthwiseTaps(grid: AnchorGrid, kernel: number): Int32Array {
  if (!(kernel >= 1 && kernel % 2 === 1)) throw new RangeError(`depthwise kernel must be odd and positive, got ${kernel}`);
  const k2 = kernel * kernel;
  const pad = (kernel - 1) / 2;
  const taps = new Int32Array(grid.count * k2).fill(-1);
  for (let l = 0; l < grid.cols.length; l++) {
    const cols = grid.cols[l]!;
    const rows = grid.rows[l]!;
    const start = grid.levelStart[l]!;
    for (let i = 0; i < cols * rows; i++) {
      const row = Math.floor(i / cols);
      const col = i % cols;
      const at = (start + i) * k2;
      for (let dy = 0; dy < kernel; dy++) {
        const r = row + dy - pad;
        if (r < 0 || r >= rows) continue;
        for (let dx = 0; dx < kernel; dx++) {
          const c = col + dx - pad;
          if (c >= 0 && c < cols) taps[at + dy * kernel + dx] = start + r * cols + c;
        }
      }
    }
  }
  return taps;
}
