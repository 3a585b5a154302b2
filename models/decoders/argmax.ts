/**
 * Index (0-based, counted in steps) of the largest of `count` values read from `data` at
 * `at`, `at + step`, `at + 2 * step`, ...; NaN values are skipped, the first of equal values wins.
 * Returns 0 when every value is NaN.
 */
export function argmaxAt(data: Float32Array, at: number, count: number, step = 1): number {
  let best = -Infinity;
  let bestIndex = 0;
  for (let k = 0; k < count; k++) {
    const v = data[at + k * step]!;
    if (v > best) {
      best = v;
      bestIndex = k;
    }
  }
  return bestIndex;
}
