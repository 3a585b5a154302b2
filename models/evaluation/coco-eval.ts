import { accumulate, type Accumulated } from './coco-accumulate.ts';
import { CocoDataError } from './coco-errors.ts';
import { bboxIou, evaluateImage, sortByScoreDescending, type ImageEval, type ScoredBox } from './coco-match.ts';
import { AREA_RANGES, IOU_THRESHOLDS, MAX_DETS, RECALL_THRESHOLDS, type AreaRange } from './coco-params.ts';
import { COCO_STATS, summarize, summarizeStat, type StatSelection } from './coco-summarize.ts';
import type { CocoAnnotation, CocoGroundTruth, CocoResult } from './coco-types.ts';
import { annotationIdProblems, listSome, resultProblems } from './coco-validate.ts';

/** What to evaluate; by default every ground-truth image and category, like pycocotools. */
export interface CocoEvalOptions {
  /** Only these images (ids of the ground truth). Default: all images of the ground truth. */
  readonly imageIds?: readonly number[];
  /** Only these categories (ids of the ground truth's `categories`). Default: all of them. */
  readonly categoryIds?: readonly number[];
}

/** Per-category summary at area "all" and 100 detections per image. */
export interface CocoClassResult {
  readonly categoryId: number;
  readonly name: string;
  /** AP averaged over IoU 0.50:0.95 and the 101 recall points; -1 when the category has no counted gt. */
  readonly ap: number;
  /** AP at IoU 0.50; -1 when the category has no counted gt. */
  readonly ap50: number;
  /** Non-crowd ground-truth boxes on the evaluated images. */
  readonly gtCount: number;
  /** Crowd regions on the evaluated images (never missed, never matched for credit). */
  readonly crowdCount: number;
  /** Detections submitted on the evaluated images, before the 100-per-image cap. */
  readonly dtCount: number;
}

/** The outcome of a COCO bbox evaluation. */
export interface CocoEvalResult {
  /** The twelve COCOeval.summarize numbers; -1 where nothing was there to average. */
  readonly stats: number[];
  /** Names of `stats`, e.g. "AP@[IoU=0.50:0.95|area=all|maxDets=100]". */
  readonly statNames: string[];
  readonly perClass: CocoClassResult[];
  /** Evaluated image ids, ascending (the i axis). */
  readonly imageIds: number[];
  /** Evaluated category ids, ascending (the k axis of precision and recall). */
  readonly categoryIds: number[];
  readonly iouThresholds: readonly number[];
  readonly recallThresholds: readonly number[];
  readonly areaRanges: readonly AreaRange[];
  readonly maxDets: readonly number[];
  /** precision [T, R, K, A, M] and recall [T, K, A, M] as pycocotools' eval dict holds them. */
  readonly accumulated: Accumulated;
  /** precision[t][r][k][a][m]; -1 when category k has no counted gt in area range a. */
  precisionAt(t: number, r: number, k: number, a: number, m: number): number;
  /** recall[t][k][a][m]; -1 when category k has no counted gt in area range a. */
  recallAt(t: number, k: number, a: number, m: number): number;
  /** Detections not evaluated: their category is not in the ground truth (or not selected), or their image is not selected. */
  readonly skippedDetections: number;
}

interface Cell {
  readonly gts: CocoAnnotation[];
  readonly dts: ScoredBox[];
}

function uniqueSorted(ids: Iterable<number>): number[] {
  return [...new Set(ids)].sort((a, b) => a - b);
}

function chooseIds(all: number[], wanted: readonly number[] | undefined, what: string): number[] {
  if (!wanted) return all;
  const known = new Set(all);
  const unknown = wanted.filter((id) => !known.has(id));
  if (unknown.length) throw new CocoDataError(`options.${what} not in the ground truth: ${listSome(unknown)}`);
  return uniqueSorted(wanted);
}

/** Groups gts and dts by image and category (key i * K + k), each in file order. */
function groupCells(gt: CocoGroundTruth, dets: readonly CocoResult[], imageIds: number[], categoryIds: number[]) {
  const imageIndex = new Map(imageIds.map((id, i) => [id, i]));
  const catIndex = new Map(categoryIds.map((id, k) => [id, k]));
  const cells = new Map<number, Cell>();
  const cellOf = (imageId: number, catId: number): Cell | undefined => {
    const i = imageIndex.get(imageId);
    const k = catIndex.get(catId);
    if (i === undefined || k === undefined) return undefined;
    const key = i * categoryIds.length + k;
    let cell = cells.get(key);
    if (!cell) cells.set(key, (cell = { gts: [], dts: [] }));
    return cell;
  };
  for (const a of gt.annotations) cellOf(a.image_id, a.category_id)?.gts.push(a);
  let skippedDetections = 0;
  for (const d of dets) {
    const cell = cellOf(d.image_id, d.category_id);
    // Area as loadRes sets it for bbox results: width * height.
    if (cell) cell.dts.push({ bbox: d.bbox, score: d.score, area: d.bbox[2] * d.bbox[3] });
    else skippedDetections++;
  }
  return { cells, skippedDetections };
}

function checkIndices(indices: readonly number[], sizes: readonly number[]): void {
  indices.forEach((v, axis) => {
    if (!Number.isInteger(v) || v < 0 || v >= sizes[axis]!) {
      throw new RangeError(`index ${v} on axis ${axis} is outside 0..${sizes[axis]! - 1}`);
    }
  });
}

function perClassResults(
  gt: CocoGroundTruth,
  cells: Map<number, Cell>,
  categoryIds: number[],
  acc: Accumulated,
  sel: StatSelection,
): CocoClassResult[] {
  const K = categoryIds.length;
  const names = new Map(gt.categories.map((c) => [c.id, c.name]));
  const counts = categoryIds.map(() => ({ gtCount: 0, crowdCount: 0, dtCount: 0 }));
  for (const [key, cell] of cells) {
    const c = counts[key % K]!;
    c.dtCount += cell.dts.length;
    for (const g of cell.gts) g.iscrowd ? c.crowdCount++ : c.gtCount++;
  }
  return categoryIds.map((categoryId, k) => ({
    categoryId,
    name: names.get(categoryId) ?? String(categoryId),
    ap: summarizeStat(acc, sel, COCO_STATS[0]!, [k]),
    ap50: summarizeStat(acc, sel, COCO_STATS[1]!, [k]),
    ...counts[k]!,
  }));
}

/**
 * COCO bbox evaluation with the results of pycocotools' COCOeval (iouType "bbox", useCats 1):
 * evaluate, accumulate and summarize. Throws CocoDataError when a detection is on an image the
 * ground truth does not have (pycocotools asserts), or annotation ids are duplicated or 0.
 */
export function evaluateCoco(gt: CocoGroundTruth, dets: readonly CocoResult[], options: CocoEvalOptions = {}): CocoEvalResult {
  const problems = [...annotationIdProblems(gt.annotations), ...resultProblems(gt, dets)];
  if (problems.length) throw new CocoDataError(`cannot evaluate: ${problems.join('; ')}`);
  const imageIds = chooseIds(uniqueSorted(gt.images.map((i) => i.id)), options.imageIds, 'imageIds');
  const categoryIds = chooseIds(uniqueSorted(gt.categories.map((c) => c.id)), options.categoryIds, 'categoryIds');
  const { cells, skippedDetections } = groupCells(gt, dets, imageIds, categoryIds);
  const [I, K, A] = [imageIds.length, categoryIds.length, AREA_RANGES.length];
  const maxDet = MAX_DETS[MAX_DETS.length - 1]!;

  const evalImgs: (ImageEval | null)[] = new Array<ImageEval | null>(K * A * I).fill(null);
  for (const [key, cell] of cells) {
    const [i, k] = [Math.floor(key / K), key % K];
    const dts = sortByScoreDescending(cell.dts).slice(0, maxDet);
    const ious = bboxIou(dts, cell.gts);
    AREA_RANGES.forEach((range, a) => {
      evalImgs[(k * A + a) * I + i] = evaluateImage(cell.gts, dts, ious, range, IOU_THRESHOLDS, maxDet);
    });
  }

  const accumulated = accumulate({
    evalImgs,
    imageCount: I,
    categoryCount: K,
    areaCount: A,
    iouThresholds: IOU_THRESHOLDS,
    recallThresholds: RECALL_THRESHOLDS,
    maxDets: MAX_DETS,
  });
  const sel: StatSelection = { iouThresholds: IOU_THRESHOLDS, areaLabels: AREA_RANGES.map((r) => r.label), maxDets: MAX_DETS };
  const { R, M } = accumulated.shape;
  return {
    stats: summarize(accumulated, sel),
    statNames: COCO_STATS.map((s) => s.name),
    perClass: perClassResults(gt, cells, categoryIds, accumulated, sel),
    imageIds,
    categoryIds,
    iouThresholds: IOU_THRESHOLDS,
    recallThresholds: RECALL_THRESHOLDS,
    areaRanges: AREA_RANGES,
    maxDets: MAX_DETS,
    accumulated,
    precisionAt: (t, r, k, a, m) => {
      checkIndices([t, r, k, a, m], [IOU_THRESHOLDS.length, R, K, A, M]);
      return accumulated.precision[(((t * R + r) * K + k) * A + a) * M + m]!;
    },
    recallAt: (t, k, a, m) => {
      checkIndices([t, k, a, m], [IOU_THRESHOLDS.length, K, A, M]);
      return accumulated.recall[((t * K + k) * A + a) * M + m]!;
    },
    skippedDetections,
  };
}
