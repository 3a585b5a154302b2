import type { CocoEvalResult } from './coco-eval.ts';

/** Precision at COCO's 101 recall points (0, 0.01, ..., 1), at IoU 0.50 and averaged over IoU 0.50:0.95. */
export interface PrCurve {
  readonly label: string;
  readonly iou50: readonly number[];
  readonly iou50to95: readonly number[];
}

/** Mean of the values > -1 (as COCOeval.summarize averages), -1 when there are none. */
function meanCounted(values: readonly number[]): number {
  const kept = values.filter((v) => v > -1);
  return kept.length ? kept.reduce((s, v) => s + v, 0) / kept.length : -1;
}

/**
 * The precision-recall curve behind AP (area all, 100 detections per image): at each recall point,
 * the precision averaged over the given categories (indices into result.categoryIds) that have
 * ground truth, at IoU 0.50 and over all ten IoU thresholds.
 */
export function cocoPrCurve(result: CocoEvalResult, categoryIndices: readonly number[], label: string): PrCurve {
  const m = result.maxDets.length - 1;
  const T = result.iouThresholds.length;
  const at = (ts: readonly number[]) =>
    result.recallThresholds.map((_, r) => meanCounted(ts.flatMap((t) => categoryIndices.map((k) => result.precisionAt(t, r, k, 0, m)))));
  return { label, iou50: at([0]), iou50to95: at(Array.from({ length: T }, (_, t) => t)) };
}

/** The curve over every category, and one per main class: the `count` categories with most ground truth. */
export function mainPrCurves(result: CocoEvalResult, count = 5): { overall: PrCurve; classes: PrCurve[] } {
  const all = result.categoryIds.map((_, k) => k);
  const main = result.perClass
    .map((c, k) => ({ c, k }))
    .filter(({ c }) => c.gtCount > 0)
    .sort((a, b) => b.c.gtCount - a.c.gtCount)
    .slice(0, count);
  return {
    overall: cocoPrCurve(result, all, 'all classes'),
    classes: main.map(({ c, k }) => cocoPrCurve(result, [k], `${c.name} (${c.gtCount} ${c.gtCount === 1 ? 'box' : 'boxes'})`)),
  };
}
