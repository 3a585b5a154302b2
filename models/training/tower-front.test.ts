import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../pipeline/patrol/simulation/random.ts';
import { expectGradientsMatch, randomWeights } from '../../test-fixtures/lib/param-gradient.ts';
import { buildAnchorGrid } from './anchor-grid.ts';
import { anchorBackward, anchorLogits, hardSwish, headScratch, initClassHead, isTuned, levelLayout, levelWeights } from './class-head.ts';
import { depthwiseTaps } from './depthwise-taps.ts';
import { qualityFocalLoss } from './quality-focal-loss.ts';
import { frontBackward, frontForward, frontPass, markTaps } from './tower-front.ts';

// Two levels: a 5x4 grid at stride 8 and a 3x2 grid at stride 16 (input 40x32).
const grid = buildAnchorGrid(40, 32, [8, 16]);
const features = 4;
const hidden = 6;
const kernel = 3;
const random = seededRandom(23);
const { rand, conv } = randomWeights(random);
const head = initClassHead(
  2, 3, features, random,
  [0, 1].map(() => conv(hidden * features, hidden)),
  [0, 1].map(() => conv(features * kernel * kernel, features, 2)),
  kernel,
  [0, 1].map(() => ({ depthwise: conv(features * kernel * kernel, features, 2), pointwise: conv(features * features, features, 2) })),
);
for (let i = 0; i < head.params.length; i++) head.params[i] = head.params[i]! + 0.3 * (random() - 0.5);
const x = rand(grid.count * features, 4);
const taps = depthwiseTaps(grid, kernel);

/** Plain zero-padded depthwise conv over a whole level ([cells, channels] in, same out) then hard-swish. */
function depthwiseLevel(level: number, input: number[][], weight: Float32Array, bias: Float32Array): number[][] {
  const cols = grid.cols[level]!;
  const rows = grid.rows[level]!;
  return input.map((_, i) =>
    Array.from({ length: features }, (_, c) => {
      let sum = bias[c]!;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const r = Math.floor(i / cols) + dy;
          const q = (i % cols) + dx;
          if (r >= 0 && r < rows && q >= 0 && q < cols) sum += weight[c * 9 + (dy + 1) * 3 + (dx + 1)]! * input[r * cols + q]![c]!;
        }
      }
      return hardSwish(sum);
    }),
  );
}
const pointwise = (v: number[], weight: Float32Array, bias: Float32Array, out: number, act = true): number[] =>
  Array.from({ length: out }, (_, j) => {
    const z = v.reduce((s, u, c) => s + u * weight[j * v.length + c]!, bias[j]!);
    return act ? hardSwish(z) : z;
  });

/** The whole class tower, layer by layer on plain arrays: the reference. */
function reference(level: number, cell: number): number[] {
  const w = levelWeights(head, level);
  const start = grid.levelStart[level]!;
  const cells = grid.cols[level]! * grid.rows[level]!;
  const input = Array.from({ length: cells }, (_, i) => Array.from(x.subarray((start + i) * features, (start + i + 1) * features)));
  const h1 = depthwiseLevel(level, input, w.front!.depthwise.weight, w.front!.depthwise.bias).map((v) => pointwise(v, w.front!.pointwise.weight, w.front!.pointwise.bias, features));
  const d = depthwiseLevel(level, h1, w.depthwiseWeight!, w.depthwiseBias!)[cell]!;
  return pointwise(pointwise(d, w.hiddenWeight!, w.hiddenBias!, hidden), w.weight, w.bias, 3, false);
}

/** Summed quality focal loss of `anchors` through the front block and the head (the training path). */
function towerLoss(anchors: Int32Array, target: (a: number, k: number) => number, grad?: Float64Array): number {
  const pass = frontPass(head, grid);
  markTaps(pass, taps, kernel * kernel, anchors, anchors.length);
  frontForward(head, grid, x, taps, pass);
  let sum = 0;
  for (const a of anchors) {
    const s = headScratch(head);
    const out = new Float64Array(3);
    anchorLogits(head, grid.level[a]!, pass.h1, a, out, s, taps);
    out.forEach((v, k) => (sum += qualityFocalLoss(v, target(a, k)).loss));
    if (grad) anchorBackward(head, grid.level[a]!, pass.h1, a, Float64Array.from(out, (v, k) => qualityFocalLoss(v, target(a, k)).grad), 1, grad, s, taps, pass.dh1);
  }
  if (grad) frontBackward(head, grid, x, taps, pass, grad);
  return sum;
}

describe('tuned-full-tower: the tower\'s first block before the last one', () => {
  it('computes what the plain layer-by-layer tower computes, at corners, edges and inside', () => {
    const anchors = Int32Array.from([0, 9, 19, grid.levelStart[1]!, grid.levelStart[1]! + 5]);
    const pass = frontPass(head, grid);
    markTaps(pass, taps, kernel * kernel, anchors, anchors.length);
    frontForward(head, grid, x, taps, pass);
    for (const a of anchors) {
      const level = grid.level[a]!;
      const out = new Float64Array(3);
      anchorLogits(head, level, pass.h1, a, out, headScratch(head), taps);
      const want = reference(level, a - grid.levelStart[level]!);
      out.forEach((v, k) => expect(v, `anchor ${a} class ${k}`).toBeCloseTo(want[k]!, 4));
    }
  });

  it('computes the block only where a chosen anchor\'s depthwise conv reads it', () => {
    const pass = frontPass(head, grid);
    markTaps(pass, taps, kernel * kernel, Int32Array.of(0), 1);
    expect(Array.from(pass.mark.subarray(0, 7))).toEqual([1, 1, 0, 0, 0, 1, 1]);
    expect(pass.mark.reduce((n, m) => n + m, 0)).toBe(4);
  });

  it('back-propagates into both blocks as finite differences say', () => {
    const anchors = Int32Array.from([3, 12, grid.levelStart[1]! + 1]);
    const target = (a: number, k: number): number => (k === a % 3 ? 0.7 : 0);
    const grad = new Float64Array(head.params.length);
    towerLoss(anchors, target, grad);
    const checked: number[] = [];
    for (const level of [0, 1]) {
      const at = levelLayout(head, level);
      for (let i = at.fdw; i < at.dw; i += 3) checked.push(i);
      checked.push(at.dw + 2, at.w1 + 1, at.w2 + 2, at.b2);
    }
    expectGradientsMatch(head.params, grad, checked, () => towerLoss(anchors, target), { relative: 5e-3, absolute: 2e-5 });
  });

  it('tunes the first block at the tuned rate', () => {
    const at = levelLayout(head, 1);
    expect(isTuned(head, at.fdw)).toBe(true);
    expect(isTuned(head, at.fpwb + 1)).toBe(true);
    expect(isTuned(head, at.w2)).toBe(false);
  });
});
