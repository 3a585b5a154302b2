import type { Accumulated } from './coco-accumulate.ts';
import type { AreaRange } from './coco-params.ts';

/** One of the twelve COCO summary numbers. */
export interface StatSpec {
  /** Printed name, as pycocotools prints it. */
  readonly name: string;
  /** true: average precision; false: average recall. */
  readonly ap: boolean;
  /** One IoU threshold, or all of them when absent. */
  readonly iouThreshold?: number;
  readonly area: AreaRange['label'];
  readonly maxDets: number;
}

const spec = (ap: boolean, area: AreaRange['label'], maxDets: number, iouThreshold?: number): StatSpec => {
  const iou = iouThreshold === undefined ? '0.50:0.95' : iouThreshold.toFixed(2);
  const name = `${ap ? 'AP' : 'AR'}@[IoU=${iou}|area=${area}|maxDets=${maxDets}]`;
  return iouThreshold === undefined ? { name, ap, area, maxDets } : { name, ap, area, maxDets, iouThreshold };
};

/** The twelve statistics of COCOeval.summarize for bbox, in order. */
export const COCO_STATS: readonly StatSpec[] = Object.freeze([
  spec(true, 'all', 100),
  spec(true, 'all', 100, 0.5),
  spec(true, 'all', 100, 0.75),
  spec(true, 'small', 100),
  spec(true, 'medium', 100),
  spec(true, 'large', 100),
  spec(false, 'all', 1),
  spec(false, 'all', 10),
  spec(false, 'all', 100),
  spec(false, 'small', 100),
  spec(false, 'medium', 100),
  spec(false, 'large', 100),
]);

/** numpy's pairwise summation (8 accumulators, blocks of 128), so means match np.mean to the bit. */
export function pairwiseSum(values: ArrayLike<number>, start = 0, n = values.length - start): number {
  if (n < 8) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[start + i]!;
    return sum;
  }
  if (n <= 128) {
    let r0 = values[start]!;
    let r1 = values[start + 1]!;
    let r2 = values[start + 2]!;
    let r3 = values[start + 3]!;
    let r4 = values[start + 4]!;
    let r5 = values[start + 5]!;
    let r6 = values[start + 6]!;
    let r7 = values[start + 7]!;
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      const b = start + i;
      r0 += values[b]!;
      r1 += values[b + 1]!;
      r2 += values[b + 2]!;
      r3 += values[b + 3]!;
      r4 += values[b + 4]!;
      r5 += values[b + 5]!;
      r6 += values[b + 6]!;
      r7 += values[b + 7]!;
    }
    let sum = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
    for (; i < n; i++) sum += values[start + i]!;
    return sum;
  }
  const half = Math.floor(n / 2);
  const n2 = half - (half % 8);
  return pairwiseSum(values, start, n2) + pairwiseSum(values, start + n2, n - n2);
}

/** Which entries one statistic averages: its threshold, area range and max-dets indices. */
export interface StatSelection {
  readonly iouThresholds: readonly number[];
  readonly areaLabels: readonly AreaRange['label'][];
  readonly maxDets: readonly number[];
}

const indicesWhere = <T>(list: readonly T[], keep: (v: T) => boolean): number[] =>
  list.flatMap((v, i) => (keep(v) ? [i] : []));

/** One statistic: the mean over the selected precision (or recall) entries in numpy's C order. */
export function summarizeStat(acc: Accumulated, sel: StatSelection, stat: StatSpec, categories?: readonly number[]): number {
  const { R, K, A, M } = acc.shape;
  // Exact comparison, like np.where(iouThr == p.iouThrs).
  const ts = indicesWhere(sel.iouThresholds, (v) => stat.iouThreshold === undefined || v === stat.iouThreshold);
  const as = indicesWhere(sel.areaLabels, (v) => v === stat.area);
  const ms = indicesWhere(sel.maxDets, (v) => v === stat.maxDets);
  const ks = categories ?? Array.from({ length: K }, (_, k) => k);
  // precision is [T, R, K, A, M], recall [T, K, A, M]: recall is precision without the r axis.
  const data = stat.ap ? acc.precision : acc.recall;
  const rows = stat.ap ? R : 1;
  const cells = ks.flatMap((k) => as.flatMap((a) => ms.map((m) => (k * A + a) * M + m)));
  // Entries above -1 in C order (t, r, k, a, m), then their mean: np.mean(s[s > -1]).
  const valid = new Float64Array(ts.length * rows * cells.length);
  let n = 0;
  for (const t of ts) {
    for (let r = 0; r < rows; r++) {
      const base = (t * rows + r) * K * A * M;
      for (const cell of cells) {
        const v = data[base + cell]!;
        if (v > -1) valid[n++] = v;
      }
    }
  }
  return n === 0 ? -1 : pairwiseSum(valid, 0, n) / n;
}

/** COCOeval.summarize: the twelve statistics, in COCO_STATS order. */
export function summarize(acc: Accumulated, sel: StatSelection): number[] {
  return COCO_STATS.map((stat) => summarizeStat(acc, sel, stat));
}
