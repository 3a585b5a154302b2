import type { AnchorGrid } from './anchor-grid.ts';
import { adamStep, type AdamOptions, type AdamState } from './adam.ts';
import { anchorLogits, levelOffset, type ClassHead } from './class-head.ts';
import type { CachedImage } from './feature-cache.ts';
import { qualityFocalLoss } from './quality-focal-loss.ts';

/** What one pass over the training images gave. */
export interface EpochResult {
  /** Mean over batches of the summed quality focal loss divided by the batch's positive anchors. */
  readonly meanLoss: number;
  readonly batches: number;
}

/**
 * Loss and gradient of one batch of cached images, added into `grad`; returns the summed loss
 * and the number of positive anchors (the normaliser, as in GFL).
 */
export function batchLoss(head: ClassHead, grid: AnchorGrid, images: readonly CachedImage[], grad: Float64Array | null): { loss: number; positives: number } {
  const { classes, features } = head;
  const logits = new Float64Array(classes);
  const g = new Float64Array(classes);
  const targetClass = new Int32Array(grid.count);
  const targetQuality = new Float32Array(grid.count);
  let loss = 0;
  let positives = 0;
  for (const image of images) {
    targetClass.fill(-1);
    const t = image.targets;
    for (let i = 0; i < t.anchors.length; i++) {
      targetClass[t.anchors[i]!] = t.classes[i]!;
      targetQuality[t.anchors[i]!] = t.quality[i]!;
    }
    positives += t.anchors.length;
    const x = image.features;
    for (let a = 0; a < grid.count; a++) {
      const level = grid.level[a]!;
      anchorLogits(head, level, x, a * features, logits);
      const cls = targetClass[a]!;
      for (let k = 0; k < classes; k++) {
        const r = qualityFocalLoss(logits[k]!, k === cls ? targetQuality[a]! : 0);
        loss += r.loss;
        g[k] = r.grad;
      }
      if (!grad) continue;
      const at = levelOffset(head, level);
      for (let k = 0; k < classes; k++) {
        const gk = g[k]!;
        grad[at + classes * features + k]! += gk;
        const row = at + k * features;
        const xAt = a * features;
        for (let c = 0; c < features; c++) grad[row + c]! += gk * x[xAt + c]!;
      }
    }
  }
  return { loss, positives };
}

/** One epoch of AdamW over `order` (image indices), `batchImages` images per step. */
export function trainEpoch(
  head: ClassHead,
  grid: AnchorGrid,
  images: readonly CachedImage[],
  order: readonly number[],
  state: AdamState,
  options: AdamOptions & { readonly batchImages: number },
  onBatch: (done: number, total: number, loss: number) => void = () => {},
): EpochResult {
  const grad = new Float64Array(head.params.length);
  const isWeight = (i: number): boolean => i % (head.classes * (head.features + 1)) < head.classes * head.features;
  const total = Math.ceil(order.length / options.batchImages);
  let lossSum = 0;
  for (let b = 0; b < total; b++) {
    grad.fill(0);
    const batch = order.slice(b * options.batchImages, (b + 1) * options.batchImages).map((i) => images[i]!);
    const { loss, positives } = batchLoss(head, grid, batch, grad);
    const norm = Math.max(1, positives);
    for (let i = 0; i < grad.length; i++) grad[i]! /= norm;
    adamStep(head.params, grad, state, options, isWeight);
    lossSum += loss / norm;
    onBatch(b + 1, total, lossSum / (b + 1));
  }
  return { meanLoss: total ? lossSum / total : 0, batches: total };
}
