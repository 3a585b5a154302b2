import type { Random } from '../../pipeline/patrol/simulation/random.ts';
import type { AnchorGrid } from './anchor-grid.ts';
import { adamStep, type AdamOptions, type AdamState } from './adam.ts';
import { anchorBackward, anchorLogits, headScratch, isDecayed, isTuned, type ClassHead } from './class-head.ts';
import { depthwiseTaps } from './depthwise-taps.ts';
import type { CachedImage } from './feature-cache.ts';
import { frontBackward, frontForward, frontPass, markTaps } from './tower-front.ts';
import type { ClassBranchRuntime } from './class-branch-runtime.ts';
import type { WeightAverage } from './weight-average.ts';
import { qualityFocalLoss } from './quality-focal-loss.ts';

/** What one pass over the training images gave. */
export interface EpochResult {
  /** Mean over batches of the summed quality focal loss divided by the batch's positive anchors. */
  readonly meanLoss: number;
  readonly batches: number;
}

/**
 * Which background anchors a step looks at. Anchors that are positive or whose centre lies in a
 * labelled box are always used; of the others a seeded fraction `keep` is, each weighted 1 / keep
 * (an unbiased estimate of the full loss at a fraction of the cost). keep = 1 uses every anchor.
 */
export interface NegativeSampling {
  readonly keep: number;
  readonly random: Random;
}

/**
 * Loss and gradient of one batch of cached images, added into `grad`; returns the summed loss
 * and the number of positive anchors (the normaliser, as in GFL). With `runtime` the tuned class
 * branch runs in onnxruntime over every cell (the loss still counts the chosen anchors only);
 * without, in JavaScript per chosen anchor (the reference).
 */
export async function batchLoss(head: ClassHead, grid: AnchorGrid, images: readonly CachedImage[], grad: Float64Array | null, sampling?: NegativeSampling, runtime?: ClassBranchRuntime): Promise<{ loss: number; positives: number }> {
  const { classes } = head;
  const taps = head.kernel ? depthwiseTaps(grid, head.kernel) : undefined;
  const k2 = head.kernel * head.kernel;
  const front = head.front && !runtime ? frontPass(head, grid) : undefined;
  const dLogits = runtime ? new Float32Array(grid.count * classes) : undefined;
  const logits = new Float64Array(classes);
  const g = new Float64Array(classes);
  const scratch = headScratch(head);
  const targetClass = new Int32Array(grid.count);
  const targetQuality = new Float32Array(grid.count);
  const chosen = new Int32Array(grid.count);
  const chosenWeight = new Float64Array(grid.count);
  const keep = sampling?.keep ?? 1;
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
    // The anchors this image's step looks at, in anchor order (the seeded draws happen in that order).
    let n = 0;
    for (let a = 0; a < grid.count; a++) {
      let weight = 1;
      if (keep < 1 && targetClass[a]! < 0 && !image.inBox[a]) {
        if (sampling!.random() >= keep) continue;
        weight = 1 / keep;
      }
      chosen[n] = a;
      chosenWeight[n++] = weight;
    }
    if (runtime) {
      const pass = await runtime.forward(image.features);
      dLogits!.fill(0);
      for (let i = 0; i < n; i++) {
        const a = chosen[i]!;
        const cls = targetClass[a]!;
        for (let k = 0; k < classes; k++) {
          const r = qualityFocalLoss(pass.logits[a * classes + k]!, k === cls ? targetQuality[a]! : 0);
          loss += r.loss * chosenWeight[i]!;
          dLogits![a * classes + k] = r.grad * chosenWeight[i]!;
        }
      }
      if (grad) await runtime.backward(pass, dLogits!, grad);
      continue;
    }
    let x = image.features;
    if (front) {
      markTaps(front, taps!, k2, chosen, n);
      frontForward(head, grid, image.features, taps!, front);
      x = front.h1;
    }
    for (let i = 0; i < n; i++) {
      const a = chosen[i]!;
      const cls = targetClass[a]!;
      const weight = chosenWeight[i]!;
      const level = grid.level[a]!;
      anchorLogits(head, level, x, a, logits, scratch, taps);
      for (let k = 0; k < classes; k++) {
        const r = qualityFocalLoss(logits[k]!, k === cls ? targetQuality[a]! : 0);
        loss += r.loss * weight;
        g[k] = r.grad;
      }
      if (grad) anchorBackward(head, level, x, a, g, weight, grad, scratch, taps, front?.dh1);
    }
    if (front && grad) frontBackward(head, grid, image.features, taps!, front, grad);
  }
  return { loss, positives };
}

/** Settings of one epoch. */
export interface EpochOptions extends AdamOptions {
  readonly batchImages: number;
  /** Learning rate of the tuned copies of shipped convs (pointwise, depthwise), relative to `learningRate`. Default 0.1. */
  readonly tunedRate?: number;
  readonly sampling?: NegativeSampling;
  /** Runs the tuned class branch in onnxruntime (tuned-tower, tuned-full-tower). */
  readonly runtime?: ClassBranchRuntime;
  /** Folds the parameters into this moving average after every optimiser step. */
  readonly average?: WeightAverage;
}

/** One epoch of AdamW over `order` (image indices), `batchImages` images per step. */
export async function trainEpoch(
  head: ClassHead,
  grid: AnchorGrid,
  images: readonly CachedImage[],
  order: readonly number[],
  state: AdamState,
  options: EpochOptions,
  onBatch: (done: number, total: number, loss: number) => void = () => {},
): Promise<EpochResult> {
  const grad = new Float64Array(head.params.length);
  const tunedRate = options.tunedRate ?? 0.1;
  const rate = (i: number): number => (isTuned(head, i) ? tunedRate : 1);
  const total = Math.ceil(order.length / options.batchImages);
  let lossSum = 0;
  for (let b = 0; b < total; b++) {
    grad.fill(0);
    const batch = order.slice(b * options.batchImages, (b + 1) * options.batchImages).map((i) => images[i]!);
    const { loss, positives } = await batchLoss(head, grid, batch, grad, options.sampling, options.runtime);
    const norm = Math.max(1, positives);
    for (let i = 0; i < grad.length; i++) grad[i]! /= norm;
    adamStep(head.params, grad, state, options, (i) => isDecayed(head, i), rate);
    options.average?.update(head.params);
    lossSum += loss / norm;
    onBatch(b + 1, total, lossSum / (b + 1));
  }
  return { meanLoss: total ? lossSum / total : 0, batches: total };
}
