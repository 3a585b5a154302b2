import { evaluateCoco, type CocoEvalResult } from '../evaluation/coco-eval.ts';
import type { CocoGroundTruth, CocoResult } from '../evaluation/coco-types.ts';
import { bestF1, matchDetections } from '../evaluation/operating-point.ts';
import { nms } from '../nms.ts';
import { boxesToSource } from '../preprocess/transform.ts';
import type { AnchorGrid } from './anchor-grid.ts';
import { anchorLogits, headScratch, type ClassHead } from './class-head.ts';
import { depthwiseTaps } from './depthwise-taps.ts';
import type { CachedImage } from './feature-cache.ts';
import { frontForward, frontPass } from './tower-front.ts';
import type { ClassBranchRuntime } from './class-branch-runtime.ts';

/** Post-processing used for validation, as `bench` runs it by default. */
export interface EvalOptions {
  /** Lowest score kept. Default 0.001 (bench's default). */
  readonly scoreThreshold?: number;
  readonly nmsThreshold?: number;
  readonly maxDetections?: number;
}

/** Validation summary of one head: COCO mAP@0.5:0.95, AP50, and AP50 per class. */
export interface HeadScore {
  readonly map: number;
  readonly ap50: number;
  /** The best-F1 score threshold over all classes at IoU 0.5 (as `bench` reports it), null without detections. */
  readonly bestF1: { readonly threshold: number; readonly precision: number; readonly recall: number; readonly f1: number } | null;
  readonly perClass: readonly { readonly name: string; readonly ap: number; readonly ap50: number; readonly gtCount: number }[];
}

/**
 * Detections of the head on cached images, decoded exactly as the exported model would be (max
 * class per anchor, class-wise NMS, boxes back to source pixels), in COCO results form. The
 * tuned class branch runs through `runtime` when given.
 */
export async function headDetections(head: ClassHead, grid: AnchorGrid, images: readonly CachedImage[], options: EvalOptions = {}, runtime?: ClassBranchRuntime): Promise<CocoResult[]> {
  const threshold = options.scoreThreshold ?? 0.001;
  const logits = new Float64Array(head.classes);
  const scratch = headScratch(head);
  const taps = head.kernel ? depthwiseTaps(grid, head.kernel) : undefined;
  const front = head.front && !runtime ? frontPass(head, grid) : undefined;
  front?.mark.fill(1);
  const results: CocoResult[] = [];
  for (const image of images) {
    const cand = { boxes: [] as number[], scores: [] as number[], classIds: [] as number[] };
    if (front) frontForward(head, grid, image.features, taps!, front);
    const x = front ? front.h1 : image.features;
    const all = runtime ? (await runtime.forward(image.features)).logits : undefined;
    for (let a = 0; a < grid.count; a++) {
      if (all) for (let k = 0; k < head.classes; k++) logits[k] = all[a * head.classes + k]!;
      else anchorLogits(head, grid.level[a]!, x, a, logits, scratch, taps);
      let best = 0;
      for (let k = 1; k < head.classes; k++) if (logits[k]! > logits[best]!) best = k;
      // Sigmoid in float32, as the graph computes it, so scores match the exported model closely.
      const score = Math.fround(1 / (1 + Math.exp(-logits[best]!)));
      if (!(score >= threshold)) continue;
      cand.boxes.push(image.boxes[4 * a]!, image.boxes[4 * a + 1]!, image.boxes[4 * a + 2]!, image.boxes[4 * a + 3]!);
      cand.scores.push(score);
      cand.classIds.push(best);
    }
    const keep = nms(cand, { iouThreshold: options.nmsThreshold ?? 0.45, maxDetections: options.maxDetections ?? 100 });
    const picked = keep.flatMap((k) => cand.boxes.slice(4 * k, 4 * k + 4));
    const src = boxesToSource(picked, image.transform);
    keep.forEach((k, i) => {
      const [x1, y1, x2, y2] = [src[4 * i]!, src[4 * i + 1]!, src[4 * i + 2]!, src[4 * i + 3]!];
      results.push({ image_id: image.imageId, category_id: cand.classIds[k]!, bbox: [x1, y1, x2 - x1, y2 - y1], score: cand.scores[k]! });
    });
  }
  return results;
}

/** Evaluates the head on cached images against the dataset's ground truth (COCOeval, as `bench`). */
export async function scoreHead(head: ClassHead, grid: AnchorGrid, images: readonly CachedImage[], gt: CocoGroundTruth, options: EvalOptions = {}, runtime?: ClassBranchRuntime): Promise<HeadScore> {
  const dets = await headDetections(head, grid, images, options, runtime);
  const imageIds = images.map((i) => i.imageId);
  const result: CocoEvalResult = evaluateCoco(gt, dets, { imageIds });
  const best = bestF1(matchDetections(gt, dets, { imageIds, categoryIds: gt.categories.map((c) => c.id) }));
  return {
    map: result.stats[0]!,
    ap50: result.stats[1]!,
    bestF1: best && best.precision !== null && best.recall !== null && best.f1 !== null ? { threshold: best.threshold, precision: best.precision, recall: best.recall, f1: best.f1 } : null,
    perClass: result.perClass.map(({ name, ap, ap50, gtCount }) => ({ name, ap, ap50, gtCount })),
  };
}
