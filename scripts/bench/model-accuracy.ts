import type { ClassMapping } from '../../models/evaluation/class-mapping.ts';
import { evaluateCoco } from '../../models/evaluation/coco-eval.ts';
import type { CocoGroundTruth } from '../../models/evaluation/coco-types.ts';
import { bestF1, curvePoints, matchDetections, pointAt, thresholdForPrecision } from '../../models/evaluation/operating-point.ts';
import { mainPrCurves } from '../../models/evaluation/pr-curves.ts';
import type { AccuracyReport } from './bench-types.ts';
import type { ModelRun } from './run-model.ts';

/** Thresholds that pick the points reported on the precision-recall curve. */
export interface AccuracySettings {
  /** The card's score threshold. */
  readonly operatingThreshold: number;
  /** Precision the "threshold for target precision" must reach, 0-1. */
  readonly targetPrecision: number;
  /** IoU a detection needs to count as a hit for the operating-point numbers. */
  readonly operatingIou: number;
}

/** Keeps about `max` points of a curve, evenly spread by recall, always keeping the last. */
function thin(points: readonly (readonly [number, number])[], max = 250): [number, number][] {
  const out: [number, number][] = [];
  let lastRecall = -1;
  points.forEach(([r, p], i) => {
    if (r - lastRecall >= 1 / max || i === points.length - 1) {
      out.push([r, p]);
      lastRecall = r;
    }
  });
  return out;
}

/**
 * COCO statistics, per-class AP, operating-point precision / recall and the curves of one model
 * run, on the images it ran on and the dataset classes it has.
 */
export function measureAccuracy(gt: CocoGroundTruth, run: ModelRun, mapping: ClassMapping, settings: AccuracySettings): AccuracyReport {
  const categoryIds = mapping.mapped.map((m) => m.categoryId);
  const result = evaluateCoco(gt, run.detections, { imageIds: run.imageIds, categoryIds });
  const matches = matchDetections(gt, run.detections, { imageIds: run.imageIds, categoryIds, iouThreshold: settings.operatingIou });
  const pooled = curvePoints(matches).flatMap((p) => (p.recall === null || p.precision === null ? [] : [[p.recall, p.precision] as const]));
  return {
    stats: result.stats,
    statNames: result.statNames,
    perClass: result.perClass.map(({ categoryId, name, ap, ap50, gtCount, dtCount }) => ({ categoryId, name, ap, ap50, gtCount, dtCount })),
    images: result.imageIds.length,
    detections: run.detections.length,
    unmappedDetections: run.unmappedDetections,
    operatingPoint: pointAt(matches, settings.operatingThreshold),
    targetPrecision: { target: settings.targetPrecision, point: thresholdForPrecision(matches, settings.targetPrecision) },
    bestF1: bestF1(matches),
    curves: mainPrCurves(result),
    pooledCurve: thin(pooled),
  };
}
