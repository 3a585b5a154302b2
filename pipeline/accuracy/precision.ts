/** Two-sided 95 % normal quantile (the 0.975 quantile of the standard normal). */
export const Z95 = 1.959963984540054;

/** A closed interval of proportions, both ends in [0, 1]. */
export interface Interval {
  readonly lo: number;
  readonly hi: number;
}

/**
 * Wilson score interval for a proportion of `k` successes in `n` trials (95 % by default).
 * Unlike the normal ("Wald") interval it stays inside [0, 1] and is sensible for small n and for
 * k = 0 or k = n, which is the everyday case for one camera or one event type.
 * @returns null when n = 0 (no evidence either way).
 * @throws RangeError when k or n is not an integer with 0 <= k <= n.
 */
export function wilsonInterval(k: number, n: number, z: number = Z95): Interval | null {
  if (!Number.isInteger(k) || !Number.isInteger(n) || k < 0 || n < 0 || k > n) {
    throw new RangeError(`wilsonInterval needs integers 0 <= k <= n, got k=${k}, n=${n}`);
  }
  if (n === 0) return null;
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // Clamp: at k = 0 or k = n the bound is 0 or 1 exactly but rounding can leave 1e-17 outside.
  return { lo: k === 0 ? 0 : Math.max(0, centre - half), hi: k === n ? 1 : Math.min(1, centre + half) };
}

/** k / n, or null when n = 0. */
export function proportion(k: number, n: number): number | null {
  return n === 0 ? null : k / n;
}
