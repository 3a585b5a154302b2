import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../pipeline/patrol/simulation/random.ts';
import { expectGradientsMatch, randomWeights } from '../../test-fixtures/lib/param-gradient.ts';
import { buildAnchorGrid } from './anchor-grid.ts';
import { anchorBackward, anchorLogits, headScratch, initClassHead, isTuned, levelLayout, levelWeights } from './class-head.ts';
import { depthwiseTaps } from './depthwise-taps.ts';
import { qualityFocalLoss } from './quality-focal-loss.ts';

// Two levels: a 5x4 grid at stride 8 and a 3x2 grid at stride 16 (input 40x32).
const grid = buildAnchorGrid(40, 32, [8, 16]);
const features = 4;
const hidden = 6;
const kernel = 3;
const random = seededRandom(11);
const { rand } = randomWeights(random);
const head = initClassHead(
  2, 3, features, random,
  [0, 1].map(() => ({ weight: rand(hidden * features), bias: rand(hidden) })),
  [0, 1].map(() => ({ weight: rand(features * kernel * kernel, 2), bias: rand(features) })),
  kernel,
);
for (let i = 0; i < head.params.length; i++) head.params[i] = head.params[i]! + 0.3 * (random() - 0.5);
const x = rand(grid.count * features, 4);
const taps = depthwiseTaps(grid, kernel);

/** Plain CHW depthwise conv (stride 1, zero padding), hard-swish, pointwise, hard-swish, class conv: the reference. */
function reference(level: number, row: number, col: number): number[] {
  const cols = grid.cols[level]!;
  const rows = grid.rows[level]!;
  const start = grid.levelStart[level]!;
  const w = levelWeights(head, level);
  const hs = (z: number): number => z * Math.min(6, Math.max(0, z + 3)) / 6;
  const d = Array.from({ length: features }, (_, c) => {
    let sum = w.depthwiseBias![c]!;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const r = row + dy;
        const q = col + dx;
        if (r < 0 || r >= rows || q < 0 || q >= cols) continue;
        sum += w.depthwiseWeight![c * 9 + (dy + 1) * 3 + (dx + 1)]! * x[(start + r * cols + q) * features + c]!;
      }
    }
    return hs(sum);
  });
  const h = Array.from({ length: hidden }, (_, j) => hs(d.reduce((s, v, c) => s + v * w.hiddenWeight![j * features + c]!, w.hiddenBias![j]!)));
  return [0, 1, 2].map((k) => h.reduce((s, v, j) => s + v * w.weight[k * hidden + j]!, w.bias[k]!));
}

describe('tuned-tower class head (depthwise k x k + pointwise + class conv)', () => {
  it('computes what a plain zero-padded depthwise convolution computes, at corners, edges and inside', () => {
    for (const [level, row, col] of [[0, 0, 0], [0, 3, 4], [0, 2, 2], [0, 0, 3], [1, 1, 1], [1, 0, 2]] as const) {
      const a = grid.levelStart[level]! + row * grid.cols[level]! + col;
      const out = new Float64Array(3);
      anchorLogits(head, level, x, a, out, headScratch(head), taps);
      const want = reference(level, row, col);
      out.forEach((v, k) => expect(v, `level ${level} (${row}, ${col}) class ${k}`).toBeCloseTo(want[k]!, 5));
    }
  });

  it('back-propagates into the depthwise weights and biases as finite differences say', () => {
    const anchors = [grid.levelStart[1]!, grid.levelStart[1]! + 4, 7];
    const target = (a: number, k: number): number => (k === a % 3 ? 0.7 : 0);
    const loss = (): number => {
      let sum = 0;
      const out = new Float64Array(3);
      for (const a of anchors) {
        anchorLogits(head, grid.level[a]!, x, a, out, headScratch(head), taps);
        out.forEach((v, k) => (sum += qualityFocalLoss(v, target(a, k)).loss));
      }
      return sum;
    };
    const grad = new Float64Array(head.params.length);
    for (const a of anchors) {
      const s = headScratch(head);
      const logits = new Float64Array(3);
      anchorLogits(head, grid.level[a]!, x, a, logits, s, taps);
      const g = Float64Array.from(logits, (v, k) => qualityFocalLoss(v, target(a, k)).grad);
      anchorBackward(head, grid.level[a]!, x, a, g, 1, grad, s, taps);
    }
    const checked: number[] = [];
    for (const level of [0, 1]) {
      const at = levelLayout(head, level);
      for (let i = at.dw; i < at.w1; i++) checked.push(i);
      checked.push(at.w1 + 3, at.b1 + 1, at.w2 + 2, at.b2);
    }
    // Most depthwise taps see a neighbour of some chosen anchor: the check is not vacuous.
    expectGradientsMatch(head.params, grad, checked, loss, { relative: 3e-3, absolute: 1e-5 });
  });

  it('counts the depthwise conv among the tuned (slower-rate) parameters, not the class conv', () => {
    const at = levelLayout(head, 1);
    expect(isTuned(head, at.dw)).toBe(true);
    expect(isTuned(head, at.dwb + 1)).toBe(true);
    expect(isTuned(head, at.b1)).toBe(true);
    expect(isTuned(head, at.w2)).toBe(false);
  });

  it('taps fall on the padding at the borders of each level only', () => {
    const k2 = kernel * kernel;
    const corner = Array.from(taps.subarray(0, k2));
    expect(corner).toEqual([-1, -1, -1, -1, 0, 1, -1, 5, 6]);
    const firstOfLevel1 = grid.levelStart[1]!;
    expect(Array.from(taps.subarray(firstOfLevel1 * k2, (firstOfLevel1 + 1) * k2))).toEqual([-1, -1, -1, -1, firstOfLevel1, firstOfLevel1 + 1, -1, firstOfLevel1 + 3, firstOfLevel1 + 4]);
  });
});
