import { bboxIou, evaluateImage, sortByScoreDescending, type ScoredBox } from './coco-match.ts';
import { AREA_RANGES } from './coco-params.ts';
import type { CocoAnnotation, CocoGroundTruth, CocoResult } from './coco-types.ts';

/** Every counted detection of a dataset, best score first, with whether it hit a ground truth. */
export interface PooledMatches {
  /** Scores, descending. */
  readonly scores: Float64Array;
  /** 1 where the detection at the same position is a true positive. */
  readonly truePositive: Uint8Array;
  /** Non-crowd ground-truth boxes: the recall denominator. */
  readonly gtCount: number;
  /** The IoU a match needs. */
  readonly iouThreshold: number;
}

/** Precision, recall and F1 when only detections scoring >= `threshold` are kept. */
export interface PrPoint {
  readonly threshold: number;
  /** null when no detection reaches the threshold. */
  readonly precision: number | null;
  /** null when the dataset has no ground truth. */
  readonly recall: number | null;
  /** null when precision or recall is null, 0 when both are 0. */
  readonly f1: number | null;
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
}

/** Which images and categories to pool, and how detections match. */
export interface MatchOptions {
  readonly imageIds: readonly number[];
  readonly categoryIds: readonly number[];
  /** Default 0.5. */
  readonly iouThreshold?: number;
  /** Detections kept per image and category, best first. Default 100 (as COCO). */
  readonly maxDets?: number;
}

/**
 * Matches detections to ground truth per image and category exactly as COCOeval does at one IoU
 * threshold (greedy, best score first, area "all"): a detection on a crowd region is neither a
 * hit nor a false alarm and is dropped, crowd regions are never missed. All classes are pooled.
 */
export function matchDetections(gt: CocoGroundTruth, dets: readonly CocoResult[], options: MatchOptions): PooledMatches {
  const iouThreshold = options.iouThreshold ?? 0.5;
  const maxDets = options.maxDets ?? 100;
  const images = new Set(options.imageIds);
  const cats = new Set(options.categoryIds);
  const cells = new Map<string, { gts: CocoAnnotation[]; dts: ScoredBox[] }>();
  const cell = (i: number, c: number) => {
    const key = `${i}/${c}`;
    let v = cells.get(key);
    if (!v) cells.set(key, (v = { gts: [], dts: [] }));
    return v;
  };
  for (const a of gt.annotations) if (images.has(a.image_id) && cats.has(a.category_id)) cell(a.image_id, a.category_id).gts.push(a);
  for (const d of dets) {
    if (images.has(d.image_id) && cats.has(d.category_id)) cell(d.image_id, d.category_id).dts.push({ bbox: d.bbox, score: d.score, area: d.bbox[2] * d.bbox[3] });
  }
  const pooled: { score: number; tp: number }[] = [];
  let gtCount = 0;
  for (const { gts, dts } of cells.values()) {
    const sorted = sortByScoreDescending(dts).slice(0, maxDets);
    const e = evaluateImage(gts, sorted, bboxIou(sorted, gts), AREA_RANGES[0]!, [iouThreshold], maxDets);
    gtCount += e.gtCounted;
    for (let d = 0; d < e.dtCount; d++) if (!e.dtIgnored[d]) pooled.push({ score: e.dtScores[d]!, tp: e.dtMatched[d]! });
  }
  const order = sortByScoreDescending(pooled);
  return {
    scores: Float64Array.from(order, (p) => p.score),
    truePositive: Uint8Array.from(order, (p) => p.tp),
    gtCount,
    iouThreshold,
  };
}

function point(threshold: number, tp: number, fp: number, gtCount: number): PrPoint {
  const precision = tp + fp ? tp / (tp + fp) : null;
  const recall = gtCount ? tp / gtCount : null;
  const f1 = precision === null || recall === null ? null : precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { threshold, precision, recall, f1, tp, fp, fn: gtCount - tp };
}

/** Precision, recall and F1 keeping detections with score >= threshold. */
export function pointAt(m: PooledMatches, threshold: number): PrPoint {
  let tp = 0;
  let fp = 0;
  for (let j = 0; j < m.scores.length && m.scores[j]! >= threshold; j++) m.truePositive[j] ? tp++ : fp++;
  return point(threshold, tp, fp, m.gtCount);
}

/** The point at every distinct score, highest threshold first: the pooled precision-recall curve. */
export function curvePoints(m: PooledMatches): PrPoint[] {
  const out: PrPoint[] = [];
  let tp = 0;
  let fp = 0;
  for (let j = 0; j < m.scores.length; j++) {
    m.truePositive[j] ? tp++ : fp++;
    // Detections with equal scores are kept or dropped together.
    if (j === m.scores.length - 1 || m.scores[j + 1]! < m.scores[j]!) out.push(point(m.scores[j]!, tp, fp, m.gtCount));
  }
  return out;
}

/** The lowest score threshold whose precision is >= target (the most recall at that precision), or null if none is. */
export function thresholdForPrecision(m: PooledMatches, target: number): PrPoint | null {
  let best: PrPoint | null = null;
  for (const p of curvePoints(m)) if (p.precision !== null && p.precision >= target) best = p;
  return best;
}

/** The threshold with the highest F1 (the higher threshold on a tie), or null without detections or ground truth. */
export function bestF1(m: PooledMatches): PrPoint | null {
  let best: PrPoint | null = null;
  for (const p of curvePoints(m)) if (p.f1 !== null && (best === null || p.f1 > best.f1!)) best = p;
  return best;
}
