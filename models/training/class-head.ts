import type { Random } from '../../pipeline/patrol/simulation/random.ts';

/**
 * A new classification branch for a frozen GFL head, per pyramid level:
 * - `hidden` = 0 ("linear"): a 1x1 conv from the head's input features to `classes` logits, the
 *   same shape as the class rows of the shipped conv, so it is grafted in place;
 * - `hidden` > 0 ("tuned-pointwise"): the features are the input of the tower's last pointwise
 *   conv; a copy of that conv (started from its trained weights, then tuned), hard-swish, then a
 *   1x1 conv to `classes` logits. The shipped tower stays as it is for the box branch.
 * - `kernel` > 0 as well ("tuned-tower"): the features are the input of the tower's last
 *   depthwise k x k conv; a tuned copy of it (stride 1, "same" zero padding) + hard-swish comes
 *   first, then the tuned pointwise conv as above.
 * - `front` as well ("tuned-full-tower"): the features are the tower's input (the neck's output);
 *   a tuned copy of the tower's first depthwise k x k + hard-swish + pointwise + hard-swish block
 *   (features -> features channels) comes before the block above, so the whole class tower is
 *   tuned. Its forward and backward passes run over a level's grid at once (tower-front.ts).
 * Parameters of all levels live in one flat vector for the optimiser; per level:
 * [front depthwise weights (features x k x k), biases (features), front pointwise weights
 * (features x features), biases (features)] with `front`, then
 * [depthwise weights (features x k x k), depthwise biases (features)] when kernel > 0, then
 * [hidden weights (hidden x features), hidden biases (hidden)] then [class weights
 * (classes x width), class biases (classes)], width = hidden || features.
 */
export interface ClassHead {
  readonly levels: number;
  readonly classes: number;
  readonly features: number;
  readonly hidden: number;
  /** Side of the tuned depthwise conv's kernel; 0 without one. */
  readonly kernel: number;
  /** With a tuned copy of the tower's first depthwise + pointwise block (needs `kernel`). */
  readonly front: boolean;
  readonly params: Float32Array;
}

/** Scratch memory of one anchor's forward pass (pre-activations and activations) and backward pass. */
export interface HeadScratch {
  readonly z: Float64Array;
  readonly h: Float64Array;
  readonly dh: Float64Array;
  /** Depthwise pre-activation, activation (the pointwise conv's input) and its gradient, per feature. */
  readonly dz: Float64Array;
  readonly dwh: Float64Array;
  readonly ddwh: Float64Array;
}

/** Offsets of a level's parameter blocks in `params`. */
export interface LevelLayout {
  /** The front block's depthwise weights, biases, pointwise weights, biases (empty without `front`). */
  readonly fdw: number;
  readonly fdwb: number;
  readonly fpw: number;
  readonly fpwb: number;
  readonly dw: number;
  readonly dwb: number;
  readonly w1: number;
  readonly b1: number;
  readonly w2: number;
  readonly b2: number;
  readonly end: number;
}

type Shape = Pick<ClassHead, 'classes' | 'features' | 'hidden' | 'kernel' | 'front'>;

/** Where level `l`'s blocks start. */
export function levelLayout(head: Shape, l: number): LevelLayout {
  const { classes, features, hidden, kernel, front } = head;
  const width = hidden || features;
  const depthwise = kernel ? features * kernel * kernel + features : 0;
  const frontSize = front ? depthwise + features * features + features : 0;
  const size = frontSize + depthwise + hidden * features + hidden + classes * width + classes;
  const fdw = l * size;
  const fdwb = fdw + (front ? features * kernel * kernel : 0);
  const fpw = fdwb + (front ? features : 0);
  const fpwb = fpw + (front ? features * features : 0);
  const dw = fdw + frontSize;
  const dwb = dw + (kernel ? features * kernel * kernel : 0);
  const w1 = dw + depthwise;
  const b1 = w1 + hidden * features;
  const w2 = b1 + hidden;
  const b2 = w2 + classes * width;
  return { fdw, fdwb, fpw, fpwb, dw, dwb, w1, b1, w2, b2, end: b2 + classes };
}

/** Scratch buffers sized for `head`. */
export function headScratch(head: ClassHead): HeadScratch {
  const n = Math.max(1, head.hidden);
  const f = head.kernel ? head.features : 1;
  return { z: new Float64Array(n), h: new Float64Array(n), dh: new Float64Array(n), dz: new Float64Array(f), dwh: new Float64Array(f), ddwh: new Float64Array(f) };
}

/** Initial weights of a tuned conv, per level: pointwise [hidden, features] or depthwise [features, k x k], and its biases. */
export interface TunedConvInit {
  readonly weight: Float32Array;
  readonly bias: Float32Array;
}

/** Initial weights of the tower's first block (depthwise then pointwise), per level. */
export interface TunedBlockInit {
  readonly depthwise: TunedConvInit;
  readonly pointwise: TunedConvInit;
}

/**
 * Fresh head: class weights ~ N(0, 0.01) from the seeded source, class biases at -log((1 - p) / p)
 * with prior p = 0.01 (RetinaNet / GFL initialisation: every anchor starts as a confident
 * negative, so the first steps are not swamped by background anchors); the tuned convs, if any,
 * start as the shipped ones (`depthwise` needs `pointwise`; its kernel side is `kernel`; `front`
 * needs `depthwise`, the same kernel and features -> features channels).
 */
export function initClassHead(levels: number, classes: number, features: number, random: Random, pointwise: readonly TunedConvInit[] = [], depthwise: readonly TunedConvInit[] = [], kernel = 0, front: readonly TunedBlockInit[] = []): ClassHead {
  const hidden = pointwise.length ? pointwise[0]!.bias.length : 0;
  if (depthwise.length && (!hidden || !kernel)) throw new RangeError('initClassHead: a tuned depthwise conv needs a tuned pointwise conv and a kernel size');
  if (front.length && !depthwise.length) throw new RangeError('initClassHead: a tuned first tower block needs the tuned last block');
  const k = depthwise.length ? kernel : 0;
  const shape = { classes, features, hidden, kernel: k, front: front.length > 0 };
  const head = { levels, ...shape, params: new Float32Array(levelLayout(shape, levels - 1).end) };
  const prior = -Math.log((1 - 0.01) / 0.01);
  for (let l = 0; l < levels; l++) {
    const at = levelLayout(head, l);
    if (head.front) {
      const f = front[l]!;
      if (f.depthwise.weight.length !== features * k * k || f.pointwise.weight.length !== features * features) throw new RangeError(`initClassHead: level ${l}'s first tower block is not ${features} channels of ${k}x${k} depthwise + ${features}x${features} pointwise`);
      head.params.set(f.depthwise.weight, at.fdw);
      head.params.set(f.depthwise.bias, at.fdwb);
      head.params.set(f.pointwise.weight, at.fpw);
      head.params.set(f.pointwise.bias, at.fpwb);
    }
    if (k) {
      head.params.set(depthwise[l]!.weight, at.dw);
      head.params.set(depthwise[l]!.bias, at.dwb);
    }
    if (hidden) {
      head.params.set(pointwise[l]!.weight, at.w1);
      head.params.set(pointwise[l]!.bias, at.b1);
    }
    for (let i = at.w2; i < at.b2; i++) head.params[i] = 0.01 * gaussian(random);
    for (let c = 0; c < classes; c++) head.params[at.b2 + c] = prior;
  }
  return head;
}

export const hardSwish = (z: number): number => (z <= -3 ? 0 : z >= 3 ? z : (z * (z + 3)) / 6);
export const hardSwishGrad = (z: number): number => (z < -3 ? 0 : z > 3 ? 1 : (2 * z + 3) / 6);

/**
 * Logits of anchor `a` into `out[0..classes)`; `x` holds the cached features, anchor-major
 * ([anchors, features]). Fills `s` for the backward pass. A head with a depthwise conv reads the
 * anchor's neighbours through `taps` (from `depthwiseTaps` with the head's kernel).
 */
export function anchorLogits(head: ClassHead, level: number, x: Float32Array, a: number, out: Float64Array, s?: HeadScratch, taps?: Int32Array): void {
  const { classes, features, hidden, kernel, params } = head;
  const at = levelLayout(head, level);
  const xAt = a * features;
  if (hidden && s) {
    if (kernel) {
      if (!taps) throw new RangeError('anchorLogits: a depthwise conv needs the anchors\' taps');
      depthwiseForward(params, at, features, kernel * kernel, x, taps, a, s);
    }
    for (let j = 0; j < hidden; j++) {
      let sum = params[at.b1 + j]!;
      const row = at.w1 + j * features;
      if (kernel) for (let c = 0; c < features; c++) sum += params[row + c]! * s.dwh[c]!;
      else for (let c = 0; c < features; c++) sum += params[row + c]! * x[xAt + c]!;
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

function depthwiseForward(params: Float32Array, at: LevelLayout, features: number, k2: number, x: Float32Array, taps: Int32Array, a: number, s: HeadScratch): void {
  for (let c = 0; c < features; c++) s.dz[c] = params[at.dwb + c]!;
  for (let t = 0; t < k2; t++) {
    const nb = taps[a * k2 + t]!;
    if (nb < 0) continue;
    const xAt = nb * features;
    for (let c = 0; c < features; c++) s.dz[c]! += params[at.dw + c * k2 + t]! * x[xAt + c]!;
  }
  for (let c = 0; c < features; c++) s.dwh[c] = hardSwish(s.dz[c]!);
}

/**
 * Adds d(loss)/d(params) of anchor `a` into `grad`, given d(loss)/d(logit) in `g` (times `weight`)
 * and the forward scratch. With `dx` (a head with a depthwise conv), also adds d(loss)/d(x) at the
 * anchor's taps into `dx` (anchor-major as `x`), for a tuned block before it.
 */
export function anchorBackward(head: ClassHead, level: number, x: Float32Array, a: number, g: Float64Array, weight: number, grad: Float64Array, s: HeadScratch, taps?: Int32Array, dx?: Float64Array): void {
  const { classes, features, hidden, kernel, params } = head;
  const at = levelLayout(head, level);
  const width = hidden || features;
  const xAt = a * features;
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
  if (kernel) s.ddwh.fill(0);
  for (let j = 0; j < hidden; j++) {
    const dz = s.dh[j]! * hardSwishGrad(s.z[j]!);
    if (dz === 0) continue;
    grad[at.b1 + j]! += dz;
    const row = at.w1 + j * features;
    if (kernel) {
      for (let c = 0; c < features; c++) {
        grad[row + c]! += dz * s.dwh[c]!;
        s.ddwh[c]! += dz * params[row + c]!;
      }
    } else for (let c = 0; c < features; c++) grad[row + c]! += dz * x[xAt + c]!;
  }
  if (kernel) depthwiseBackward(head.params, at, features, kernel * kernel, x, taps!, a, grad, s, dx);
}

function depthwiseBackward(params: Float32Array, at: LevelLayout, features: number, k2: number, x: Float32Array, taps: Int32Array, a: number, grad: Float64Array, s: HeadScratch, dx?: Float64Array): void {
  // Reuse ddwh for the pre-activation gradient.
  for (let c = 0; c < features; c++) {
    const d = s.ddwh[c]! * hardSwishGrad(s.dz[c]!);
    s.ddwh[c] = d;
    grad[at.dwb + c]! += d;
  }
  for (let t = 0; t < k2; t++) {
    const nb = taps[a * k2 + t]!;
    if (nb < 0) continue;
    const xAt = nb * features;
    for (let c = 0; c < features; c++) grad[at.dw + c * k2 + t]! += s.ddwh[c]! * x[xAt + c]!;
    if (dx) for (let c = 0; c < features; c++) dx[xAt + c]! += s.ddwh[c]! * params[at.dw + c * k2 + t]!;
  }
}

/** True for class weights (the only parameters under weight decay; biases and the tuned convs are not decayed). */
export function isDecayed(head: ClassHead, i: number): boolean {
  const at = levelLayout(head, 0);
  const r = i % at.end;
  return r >= at.w2 && r < at.b2;
}

/** True for parameters of the tuned copies of shipped convs (trained at a lower rate: they start from trained weights). */
export function isTuned(head: ClassHead, i: number): boolean {
  return head.hidden > 0 && i % levelLayout(head, 0).end < levelLayout(head, 0).w2;
}

/** Level l's blocks as separate arrays (for grafting into the ONNX graph). */
export function levelWeights(head: ClassHead, l: number): { weight: Float32Array; bias: Float32Array; hiddenWeight?: Float32Array; hiddenBias?: Float32Array; depthwiseWeight?: Float32Array; depthwiseBias?: Float32Array; front?: TunedBlockInit } {
  const at = levelLayout(head, l);
  const p = head.params;
  const out = { weight: p.slice(at.w2, at.b2), bias: p.slice(at.b2, at.end) };
  const hidden = head.hidden ? { hiddenWeight: p.slice(at.w1, at.b1), hiddenBias: p.slice(at.b1, at.w2) } : {};
  const depthwise = head.kernel ? { depthwiseWeight: p.slice(at.dw, at.dwb), depthwiseBias: p.slice(at.dwb, at.w1) } : {};
  const front = head.front ? { front: { depthwise: { weight: p.slice(at.fdw, at.fdwb), bias: p.slice(at.fdwb, at.fpw) }, pointwise: { weight: p.slice(at.fpw, at.fpwb), bias: p.slice(at.fpwb, at.dw) } } } : {};
  return { ...out, ...hidden, ...depthwise, ...front };
}

function gaussian(random: Random): number {
  const u1 = 1 - random();
  const u2 = random();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}
