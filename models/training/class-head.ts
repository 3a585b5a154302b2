import type { Random } from '../../pipeline/patrol/simulation/random.ts';

/**
 * A new classification layer for a frozen GFL head: per pyramid level, a 1x1 conv from the head's
 * features to `classes` logits (the same shape as the class rows of the shipped conv, so it can
 * be grafted in place). Parameters of all levels live in one flat vector for the optimiser:
 * level l holds weights [classes, features] row-major, then its biases [classes].
 */
export interface ClassHead {
  readonly levels: number;
  readonly classes: number;
  readonly features: number;
  readonly params: Float32Array;
}

/** Start of level `l`'s weights in `params`; its biases follow at + classes * features. */
export function levelOffset(head: Pick<ClassHead, 'classes' | 'features'>, l: number): number {
  return l * head.classes * (head.features + 1);
}

/**
 * Fresh head: weights ~ N(0, 0.01) from the seeded source, biases at -log((1 - p) / p) with prior
 * p = 0.01 (RetinaNet / GFL initialisation: every anchor starts as a confident negative, so the
 * first steps are not swamped by the thousands of background anchors).
 */
export function initClassHead(levels: number, classes: number, features: number, random: Random): ClassHead {
  const head = { levels, classes, features, params: new Float32Array(levels * classes * (features + 1)) };
  const prior = -Math.log((1 - 0.01) / 0.01);
  for (let l = 0; l < levels; l++) {
    const at = levelOffset(head, l);
    for (let i = 0; i < classes * features; i++) head.params[at + i] = 0.01 * gaussian(random);
    for (let k = 0; k < classes; k++) head.params[at + classes * features + k] = prior;
  }
  return head;
}

/** Logits of one anchor into `out[0..classes)`. `x` holds the anchor's features at `xAt`. */
export function anchorLogits(head: ClassHead, level: number, x: Float32Array, xAt: number, out: Float64Array): void {
  const { classes, features, params } = head;
  const at = levelOffset(head, level);
  for (let k = 0; k < classes; k++) {
    let sum = params[at + classes * features + k]!;
    const row = at + k * features;
    for (let c = 0; c < features; c++) sum += params[row + c]! * x[xAt + c]!;
    out[k] = sum;
  }
}

/** Level l's weights and biases as separate arrays (for grafting into the ONNX graph). */
export function levelWeights(head: ClassHead, l: number): { weight: Float32Array; bias: Float32Array } {
  const at = levelOffset(head, l);
  const n = head.classes * head.features;
  return { weight: head.params.slice(at, at + n), bias: head.params.slice(at + n, at + n + head.classes) };
}

function gaussian(random: Random): number {
  const u1 = 1 - random();
  const u2 = random();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}
