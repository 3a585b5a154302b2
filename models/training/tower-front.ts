import type { AnchorGrid } from './anchor-grid.ts';
import { hardSwish, hardSwishGrad, levelLayout, type ClassHead } from './class-head.ts';

/**
 * One image's pass through the tuned copy of the tower's first block ("tuned-full-tower"): a
 * depthwise k x k conv + hard-swish, then a pointwise conv + hard-swish, on the cached tower input
 * (anchor-major [anchors, features]). The last block's depthwise conv at an anchor reads this
 * block's output at the anchor's k x k taps, so the block runs at every position some chosen
 * anchor taps (`mark`), not just at the chosen anchors; its output `h1` is then the input the
 * per-anchor head code (class-head.ts) reads in place of cached features, and the gradient that
 * code sends back into `dh1` is back-propagated here, position by position.
 */
export interface FrontPass {
  /** Depthwise pre-activation, its hard-swish, pointwise pre-activation and output, [anchors, features]. */
  readonly z0: Float32Array;
  readonly h0: Float32Array;
  readonly z1: Float32Array;
  readonly h1: Float32Array;
  /** d(loss)/d(h1), [anchors, features]: filled by anchorBackward's `dx`, cleared by frontBackward. */
  readonly dh1: Float64Array;
  /** 1 where this image's pass computes the block. */
  readonly mark: Uint8Array;
  /** Scratch: d(loss)/d(h0) of one position, and the depthwise gradient tap-major [k x k, features]. */
  readonly dh0: Float64Array;
  readonly dwGrad: Float64Array;
}

/** Buffers for a head with a front block on `grid`. */
export function frontPass(head: ClassHead, grid: AnchorGrid): FrontPass {
  const n = grid.count * head.features;
  const k2 = head.kernel * head.kernel;
  return {
    z0: new Float32Array(n), h0: new Float32Array(n), z1: new Float32Array(n), h1: new Float32Array(n),
    dh1: new Float64Array(n), mark: new Uint8Array(grid.count), dh0: new Float64Array(head.features), dwGrad: new Float64Array(k2 * head.features),
  };
}

/** Marks the taps of `anchors[0..count)` (the positions their last-block depthwise conv reads). */
export function markTaps(pass: FrontPass, taps: Int32Array, k2: number, anchors: Int32Array, count: number): void {
  pass.mark.fill(0);
  for (let i = 0; i < count; i++) {
    const at = anchors[i]! * k2;
    for (let t = 0; t < k2; t++) {
      const nb = taps[at + t]!;
      if (nb >= 0) pass.mark[nb] = 1;
    }
  }
}

/** Runs the front block at every marked position of `x` (cached tower input), filling z0, h0, z1, h1. */
export function frontForward(head: ClassHead, grid: AnchorGrid, x: Float32Array, taps: Int32Array, pass: FrontPass): void {
  const { features: f, params } = head;
  const k2 = head.kernel * head.kernel;
  const dwT = new Float32Array(k2 * f);
  const acc = new Float64Array(f);
  let level = -1;
  let at = levelLayout(head, 0);
  for (let p = 0; p < grid.count; p++) {
    if (!pass.mark[p]) continue;
    if (grid.level[p] !== level) {
      level = grid.level[p]!;
      at = levelLayout(head, level);
      // Tap-major copy of the depthwise weights: the inner loop then runs over contiguous channels.
      for (let c = 0; c < f; c++) for (let t = 0; t < k2; t++) dwT[t * f + c] = params[at.fdw + c * k2 + t]!;
    }
    const row = p * f;
    for (let c = 0; c < f; c++) acc[c] = params[at.fdwb + c]!;
    for (let t = 0; t < k2; t++) {
      const nb = taps[p * k2 + t]!;
      if (nb < 0) continue;
      const xAt = nb * f;
      const wAt = t * f;
      for (let c = 0; c < f; c++) acc[c]! += dwT[wAt + c]! * x[xAt + c]!;
    }
    for (let c = 0; c < f; c++) {
      pass.z0[row + c] = acc[c]!;
      pass.h0[row + c] = hardSwish(acc[c]!);
    }
    for (let j = 0; j < f; j++) {
      let sum = params[at.fpwb + j]!;
      const w = at.fpw + j * f;
      for (let c = 0; c < f; c++) sum += params[w + c]! * pass.h0[row + c]!;
      pass.z1[row + j] = sum;
      pass.h1[row + j] = hardSwish(sum);
    }
  }
}

/** Adds d(loss)/d(front block params) into `grad` from `pass.dh1` at the marked positions, then clears `dh1`. */
export function frontBackward(head: ClassHead, grid: AnchorGrid, x: Float32Array, taps: Int32Array, pass: FrontPass, grad: Float64Array): void {
  const { features: f, params } = head;
  const k2 = head.kernel * head.kernel;
  const { dh0, dwGrad, dh1 } = pass;
  let level = -1;
  let at = levelLayout(head, 0);
  const flush = (): void => {
    if (level < 0) return;
    for (let c = 0; c < f; c++) for (let t = 0; t < k2; t++) grad[at.fdw + c * k2 + t]! += dwGrad[t * f + c]!;
    dwGrad.fill(0);
  };
  for (let p = 0; p < grid.count; p++) {
    if (!pass.mark[p]) continue;
    if (grid.level[p] !== level) {
      flush();
      level = grid.level[p]!;
      at = levelLayout(head, level);
    }
    const row = p * f;
    dh0.fill(0);
    let any = false;
    for (let j = 0; j < f; j++) {
      const dz = dh1[row + j]! * hardSwishGrad(pass.z1[row + j]!);
      if (dz === 0) continue;
      any = true;
      grad[at.fpwb + j]! += dz;
      const w = at.fpw + j * f;
      for (let c = 0; c < f; c++) {
        grad[w + c]! += dz * pass.h0[row + c]!;
        dh0[c]! += dz * params[w + c]!;
      }
    }
    if (!any) continue;
    for (let c = 0; c < f; c++) {
      const d = dh0[c]! * hardSwishGrad(pass.z0[row + c]!);
      dh0[c] = d;
      grad[at.fdwb + c]! += d;
    }
    for (let t = 0; t < k2; t++) {
      const nb = taps[p * k2 + t]!;
      if (nb < 0) continue;
      const xAt = nb * f;
      const gAt = t * f;
      for (let c = 0; c < f; c++) dwGrad[gAt + c]! += dh0[c]! * x[xAt + c]!;
    }
  }
  flush();
  dh1.fill(0);
}
