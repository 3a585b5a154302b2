import type { ImageEval } from './coco-match.ts';

/** Sizes of the evaluation grid: IoU thresholds, recall points, categories, area ranges, max-dets. */
export interface EvalShape {
  readonly T: number;
  readonly R: number;
  readonly K: number;
  readonly A: number;
  readonly M: number;
}

/**
 * Precision / recall tables in numpy's C order, as pycocotools' accumulate fills them.
 * -1 marks a category and area range without any counted ground truth.
 */
export interface Accumulated {
  readonly shape: EvalShape;
  /** precision[t][r][k][a][m], flattened. */
  readonly precision: Float64Array;
  /** recall[t][k][a][m], flattened: the recall reached with all kept detections. */
  readonly recall: Float64Array;
}

/** Inputs of accumulate: per-image results indexed [(k * A + a) * I + i], null when the image has neither gts nor dts. */
export interface AccumulateInput {
  readonly evalImgs: readonly (ImageEval | null)[];
  readonly imageCount: number;
  readonly categoryCount: number;
  readonly areaCount: number;
  readonly iouThresholds: readonly number[];
  readonly recallThresholds: readonly number[];
  readonly maxDets: readonly number[];
}

/** Every image's kept detections of one category and area range, merged best score first. */
interface MergedDetections {
  readonly scores: Float64Array;
  readonly entry: Int32Array;
  readonly index: Int32Array;
}

function mergeDetections(entries: readonly ImageEval[], maxDet: number): MergedDetections {
  const n = entries.reduce((sum, e) => sum + Math.min(maxDet, e.dtCount), 0);
  const scores = new Float64Array(n);
  const entry = new Int32Array(n);
  const index = new Int32Array(n);
  let j = 0;
  entries.forEach((e, ei) => {
    for (let d = 0; d < Math.min(maxDet, e.dtCount); d++, j++) {
      scores[j] = e.dtScores[d]!;
      entry[j] = ei;
      index[j] = d;
    }
  });
  // Stable, so equal scores keep image order then per-image rank (mergesort in pycocotools).
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) =>
    scores[a]! > scores[b]! ? -1 : scores[a]! < scores[b]! ? 1 : 0,
  );
  return {
    scores: Float64Array.from(order, (i) => scores[i]!),
    entry: Int32Array.from(order, (i) => entry[i]!),
    index: Int32Array.from(order, (i) => index[i]!),
  };
}

/** Where one IoU threshold's precision curve goes, and reusable work buffers. */
interface CurveTarget {
  readonly shape: EvalShape;
  readonly acc: Accumulated;
  readonly k: number;
  readonly a: number;
  readonly m: number;
  readonly rc: Float64Array;
  readonly pr: Float64Array;
}

/** Fills precision and recall of one IoU threshold t (pycocotools' inner accumulate loop). */
function fillCurve(
  entries: readonly ImageEval[],
  merged: MergedDetections,
  t: number,
  gtCounted: number,
  recallThresholds: readonly number[],
  out: CurveTarget,
): void {
  const { rc, pr, shape, k, a, m } = out;
  const { R, K, A, M } = shape;
  const n = merged.scores.length;
  let tp = 0;
  let fp = 0;
  for (let j = 0; j < n; j++) {
    const e = entries[merged.entry[j]!]!;
    const at = t * e.dtCount + merged.index[j]!;
    if (!e.dtIgnored[at]) {
      if (e.dtMatched[at]) tp++;
      else fp++;
    }
    rc[j] = tp / gtCounted;
    // numpy's spacing(1) == Number.EPSILON, added after fp + tp as pycocotools does.
    pr[j] = tp / (fp + tp + Number.EPSILON);
  }
  // Precision envelope: non-increasing from the end.
  for (let j = n - 1; j > 0; j--) if (pr[j]! > pr[j - 1]!) pr[j - 1] = pr[j]!;
  out.acc.recall[((t * K + k) * A + a) * M + m] = n ? rc[n - 1]! : 0;
  // searchsorted(rc, recallThresholds, side='left'); recall points past the last reached get 0.
  let j = 0;
  for (let r = 0; r < R; r++) {
    while (j < n && rc[j]! < recallThresholds[r]!) j++;
    out.acc.precision[(((t * R + r) * K + k) * A + a) * M + m] = j < n ? pr[j]! : 0;
  }
}

/** pycocotools' accumulate: per category, area range and max-dets, the 101-point precision curves. */
export function accumulate(input: AccumulateInput): Accumulated {
  const { evalImgs, imageCount: I, iouThresholds, recallThresholds, maxDets } = input;
  const shape: EvalShape = {
    T: iouThresholds.length,
    R: recallThresholds.length,
    K: input.categoryCount,
    A: input.areaCount,
    M: maxDets.length,
  };
  const { T, R, K, A, M } = shape;
  const acc: Accumulated = {
    shape,
    precision: new Float64Array(T * R * K * A * M).fill(-1),
    recall: new Float64Array(T * K * A * M).fill(-1),
  };

  for (let k = 0; k < K; k++) {
    for (let a = 0; a < A; a++) {
      const entries = evalImgs.slice((k * A + a) * I, (k * A + a + 1) * I).filter((e) => e !== null);
      const gtCounted = entries.reduce((sum, e) => sum + e.gtCounted, 0);
      if (gtCounted === 0) continue;
      maxDets.forEach((maxDet, m) => {
        const merged = mergeDetections(entries, maxDet);
        const n = merged.scores.length;
        const out = { shape, acc, k, a, m, rc: new Float64Array(n), pr: new Float64Array(n) };
        for (let t = 0; t < T; t++) fillCurve(entries, merged, t, gtCounted, recallThresholds, out);
      });
    }
  }
  return acc;
}
