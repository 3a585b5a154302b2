import type { Random } from '../../pipeline/patrol/simulation/random.ts';

/**
 * A new classification branch for a frozen GFL head, per pyramid level:
 * - `hidden` = 0 ("linear"): a 1x1 conv from the head's input features to `classes` logits, the
 *   same shape as the class rows of the shipped conv, so it is grafted in place;
 * - `hidden` > 0 ("tuned-pointwise"): the features are the input of the tower's last pointwise
 *   conv; a copy of that conv (started from its trained weights, then tuned), hard-swish, then a
 *   1x1 conv to `classes` logits. The shipped tower stays as it is for the box branch.
 * Parameters of all levels live in one flat vector for the optimiser; per level:
 * [hidden weights (hidden x features), hidden biases (hidden)] then [class weights
 * (classes x width), class biases (classes)], width = hidden || features.
 */
export interface ClassHead {
  readonly levels: number;
  readonly classes: number;
  readonly features: number;
  readonly hidden: number;
  readonly params: Float32Array;
}

/** Scratch memory of one anchor's forward pass (hidden pre-activation and activation). */
export interface HeadScratch {
  readonly z: Float64Array;
  readonly h: Float64Array;
  readonly dh: Float64Array;
}

/** Offsets of a level's parameter blocks in `params`. */
export interface LevelLayout {
  readonly w1: number;
  readonly b1: number;
  readonly w2: number;
  readonly b2: number;
  readonly end: number;
}

/** Where level `l`'s blocks start. */
export function levelLayout(head: Pick<ClassHead, 'classes' | 'features' | 'hidden'>, l: number): LevelLayout {
  const { classes, features, hidden } = head;
  const width = hidden || features;
  const size = hidden * features + hidden + classes * width + classes;
  const w1 = l * size;
  const b1 = w1 + hidden * features;
  const w2 = b1 + hidden;
  const b2 = w2 + classes * width;
  return { w1, b1, w2, b2, end: b2 + classes };
}

/** Scratch buffers sized for `head`. */
export function headScratch(head: ClassHead): HeadScratch {
  const n = Math.max(1, head.hidden);
  return { z: new Float64Array(n), h: new Float64Array(n), dh: new Float64Array(n) };
}

/** Initial weights of the tuned pointwise conv, per level ([hidden, features] and [hidden]). */
export interface PointwiseInit {
  readonly weight: Float32Array;
  readonly bias: Float32Array;
}

/**
 * Fresh head: class weights ~ N(0, 0.01) from the seeded source, class biases at -log((1 - p) / p)
 * with prior p = 0.01 (RetinaNet / GFL initialisation: every anchor starts as a confident
 * negative, so the first steps are not swamped by background anchors); the hidden conv, if any,
 * starts as the shipped one.
 */
export function initClassHead(levels: number, classes: number, features: number, random: Random, pointwise: readonly PointwiseInit[] = []): ClassHead {
  const hidden = pointwise.length ? pointwise[0]!.bias.length : 0;
  const head = { levels, classes, features, hidden, params: new Float32Array(levelLayout({ classes, features, hidden }, levels - 1).end) };
  const prior = -Math.log((1 - 0.01) / 0.01);
  for (let l = 0; l < levels; l++) {
    const at = levelLayout(head, l);
    if (hidden) {
      head.params.set(pointwise[l]!.weight, at.w1);
      head.params.set(pointwise[l]!.bias, at.b1);
    }
    for (let i = at.w2; i < at.b2; i++) head.params[i] = 0.01 * gaussian(random);
    for (let k = 0; k < classes; k++) head.params[at.b2 + k] = prior;
  }
  return head;
}

const hardSwish = (z: number): number => (z <= -3 ? 0 : z >= 3 ? z : (z * (z + 3)) / 6);
const hardSwishGrad = (z: number): number => (z < -3 ? 0 : z > 3 ? 1 : (2 * z + 3) / 6);

/** Logits of one anchor into `out[0..classes)`; `x` holds its features at `xAt`. Fills `s` for the backward pass. */
export function anchorLogits(head: ClassHead, level: number, x: Float32Array, xAt: number, out: Float64Array, s?: HeadScratch): void {
  const { classes, features, hidden, params } = head;
  const at = levelLayout(head, level);
  if (hidden && s) {
    for (let j = 0; j < hidden; j++) {
      let sum = params[at.b1 + j]!;
      const row = at.w1 + j * features;
      for (let c = 0; c < features; c++) sum += params[row + c]! * x[xAt + c]!;
      s.z[j] = sum;
      s.h[j] = hardSwish(sum);
    }
    for (let k = 0; k < classes; k++) {
      let sum = params[at.b2 + k]!;
      const row = at.w2 + k * hidden;
      for (let j = 0; j < hidden; j++) sum += params[row + j]! * s.h[j]!;
      out[k] = sum;
    }
    return;
  }
  if (hidden) throw new RangeError('anchorLogits: a hidden layer needs scratch memory');
  for (let k = 0; k < classes; k++) {
    let sum = params[at.b2 + k]!;
    const row = at.w2 + k * features;
    for (let c = 0; c < features; c++) sum += params[row + c]! * x[xAt + c]!;
    out[k] = sum;
  }
}

/** Adds d(loss)/d(params) of one anchor into `grad`, given d(loss)/d(logit) in `g` (times `weight`) and the forward scratch. */
export function anchorBackward(head: ClassHead, level: number, x: Float32Array, xAt: number, g: Float64Array, weight: number, grad: Float64Array, s: HeadScratch): void {
  const { classes, features, hidden, params } = head;
  const at = levelLayout(head, level);
  const width = hidden || features;
  if (hidden) s.dh.fill(0);
  for (let k = 0; k < classes; k++) {
    const gk = g[k]! * weight;
    if (gk === 0) continue;
    grad[at.b2 + k]! += gk;
    const row = at.w2 + k * width;
    if (hidden) {
      for (let j = 0; j < hidden; j++) {
        grad[row + j]! += gk * s.h[j]!;
        s.dh[j]! += gk * params[row + j]!;
      }
    } else for (let c = 0; c < features; c++) grad[row + c]! += gk * x[xAt + c]!;
  }
  for (let j = 0; j < hidden; j++) {
    const dz = s.dh[j]! * hardSwishGrad(s.z[j]!);
    if (dz === 0) continue;
    grad[at.b1 + j]! += dz;
    const row = at.w1 + j * features;
    for (let c = 0; c < features; c++) grad[row + c]! += dz * x[xAt + c]!;
  }
}

/** True for class weights (the only parameters under weight decay; biases and the tuned conv are not decayed). */
export function isDecayed(head: ClassHead, i: number): boolean {
  const size = levelLayout(head, 0).end;
  const at = levelLayout(head, 0);
  const r = i % size;
  return r >= at.w2 && r < at.b2;
}

/** True for parameters of the tuned pointwise conv (trained at a lower rate: they start from trained weights). */
export function isPointwise(head: ClassHead, i: number): boolean {
  return head.hidden > 0 && i % levelLayout(head, 0).end < levelLayout(head, 0).w2;
}

/** Level l's blocks as separate arrays (for grafting into the ONNX graph). */
export function levelWeights(head: ClassHead, l: number): { weight: Float32Array; bias: Float32Array; hiddenWeight?: Float32Array; hiddenBias?: Float32Array } {
  const at = levelLayout(head, l);
  const p = head.params;
  const out = { weight: p.slice(at.w2, at.b2), bias: p.slice(at.b2, at.end) };
  return head.hidden ? { ...out, hiddenWeight: p.slice(at.w1, at.b1), hiddenBias: p.slice(at.b1, at.w2) } : out;
}

function gaussian(random: Random): number {
  const u1 = 1 - random();
  const u2 = random();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}
