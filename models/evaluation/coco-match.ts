import type { AreaRange } from './coco-params.ts';
import type { CocoAnnotation, CocoBox } from './coco-types.ts';

/** A detection ready for matching. */
export interface ScoredBox {
  readonly bbox: CocoBox;
  readonly score: number;
  /** width * height of the box, as pycocotools' loadRes sets it. */
  readonly area: number;
}

/** The ground-truth fields matching reads. */
export type GroundTruthBox = Pick<CocoAnnotation, 'bbox' | 'area' | 'iscrowd'>;

/** Matching outcome of one image and category in one area range (pycocotools' evaluateImg). */
export interface ImageEval {
  /** Number of detections kept, D. */
  readonly dtCount: number;
  /** Scores of the kept detections, best first. */
  readonly dtScores: Float64Array;
  /** [t * D + d] = 1 when detection d matched a ground truth at IoU threshold t. */
  readonly dtMatched: Uint8Array;
  /** [t * D + d] = 1 when detection d does not count: matched an ignored gt, or unmatched and outside the area range. */
  readonly dtIgnored: Uint8Array;
  /** Ground truths that count towards recall: not crowd and inside the area range. */
  readonly gtCounted: number;
}

/** Stable sort by descending score (numpy's argsort(-scores, kind='mergesort')). */
export function sortByScoreDescending<T extends { readonly score: number }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => (a.score > b.score ? -1 : a.score < b.score ? 1 : 0));
}

/**
 * IoU of every detection with every ground truth, row-major [d * G + g], computed with the same
 * floating-point operations as pycocotools' bbIou. Against a crowd region the union is the
 * detection's own area, so a detection inside the crowd scores 1.
 */
export function bboxIou(dts: readonly ScoredBox[], gts: readonly GroundTruthBox[]): Float64Array {
  const G = gts.length;
  const out = new Float64Array(dts.length * G);
  for (let g = 0; g < G; g++) {
    const gt = gts[g]!;
    const [gx, gy, gw, gh] = gt.bbox;
    const ga = gw * gh;
    for (let d = 0; d < dts.length; d++) {
      const [dx, dy, dw, dh] = dts[d]!.bbox;
      const w = Math.min(dw + dx, gw + gx) - Math.max(dx, gx);
      if (w <= 0) continue;
      const h = Math.min(dh + dy, gh + gy) - Math.max(dy, gy);
      if (h <= 0) continue;
      const inter = w * h;
      const da = dw * dh;
      out[d * G + g] = inter / (gt.iscrowd ? da : da + ga - inter);
    }
  }
  return out;
}

/**
 * Greedy matching of one image and category at every IoU threshold (pycocotools' evaluateImg).
 * `dts` are sorted best first; `ious` is bboxIou(dts, gts) with gts in their original order.
 * Crowd and out-of-range gts are tried last and only when no counted gt matches; a detection
 * matched to one of them is ignored, as is an unmatched detection outside the area range.
 */
export function evaluateImage(
  gts: readonly GroundTruthBox[],
  dts: readonly ScoredBox[],
  ious: Float64Array,
  range: AreaRange,
  iouThresholds: readonly number[],
  maxDet: number,
): ImageEval {
  const G = gts.length;
  const D = Math.min(dts.length, maxDet);
  const ignoredGt = gts.map((g) => (g.iscrowd || g.area < range.min || g.area > range.max ? 1 : 0));
  // Counted gts first, then ignored ones, each group in file order (a stable sort).
  const order = [...ignoredGt.keys()].sort((a, b) => ignoredGt[a]! - ignoredGt[b]!);
  const ig = order.map((i) => ignoredGt[i]!);
  const crowd = order.map((i) => gts[i]!.iscrowd);
  const dtMatched = new Uint8Array(iouThresholds.length * D);
  const dtIgnored = new Uint8Array(iouThresholds.length * D);

  iouThresholds.forEach((threshold, t) => {
    const gtMatched = new Uint8Array(G);
    for (let d = 0; d < D; d++) {
      let best = Math.min(threshold, 1 - 1e-10);
      let m = -1;
      for (let j = 0; j < G; j++) {
        if (gtMatched[j] && !crowd[j]) continue;
        // Already on a counted gt and only ignored gts are left: keep it.
        if (m > -1 && ig[m] === 0 && ig[j] === 1) break;
        const iou = ious[d * G + order[j]!]!;
        if (iou < best) continue;
        best = iou;
        m = j;
      }
      if (m === -1) continue;
      dtMatched[t * D + d] = 1;
      dtIgnored[t * D + d] = ig[m]!;
      gtMatched[m] = 1;
    }
  });

  for (let d = 0; d < D; d++) {
    const area = dts[d]!.area;
    if (!(area < range.min || area > range.max)) continue;
    for (let t = 0; t < iouThresholds.length; t++) {
      if (!dtMatched[t * D + d]) dtIgnored[t * D + d] = 1;
    }
  }

  return {
    dtCount: D,
    dtScores: Float64Array.from(dts.slice(0, D), (d) => d.score),
    dtMatched,
    dtIgnored,
    gtCounted: ig.filter((v) => v === 0).length,
  };
}
