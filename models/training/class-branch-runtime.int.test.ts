import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../pipeline/patrol/simulation/random.ts';
import { randomWeights } from '../../test-fixtures/lib/param-gradient.ts';
import { buildAnchorGrid } from './anchor-grid.ts';
import { anchorBackward, anchorLogits, headScratch, initClassHead, levelLayout, type ClassHead } from './class-head.ts';
import { ClassBranchRuntime } from './class-branch-runtime.ts';
import { depthwiseTaps } from './depthwise-taps.ts';
import { frontBackward, frontForward, frontPass } from './tower-front.ts';

// Three levels of a 48x40 input (6x5, 3x3 and 2x2 cells, the last smaller than the kernel), 8 channels, 5x5 kernels.
const grid = buildAnchorGrid(48, 40, [8, 16, 32]);
const features = 8;
const hidden = 6;
const classes = 3;
const kernel = 5;
const random = seededRandom(31);
const { rand, conv } = randomWeights(random);
const levels = [0, 1, 2];
const makeHead = (front: boolean): ClassHead => {
  const head = initClassHead(
    3, classes, features, random,
    levels.map(() => conv(hidden * features, hidden, 2)),
    levels.map(() => conv(features * kernel * kernel, features, 2)),
    kernel,
    front ? levels.map(() => ({ depthwise: conv(features * kernel * kernel, features, 2), pointwise: conv(features * features, features, 2) })) : [],
  );
  for (let i = 0; i < head.params.length; i++) head.params[i] = head.params[i]! + 0.3 * (random() - 0.5);
  return head;
};
const x = rand(grid.count * features, 6);
const taps = depthwiseTaps(grid, kernel);

/** The JavaScript path: logits of every anchor, and the gradient for d(loss)/d(logits) `dLogits`. */
function reference(head: ClassHead, dLogits: Float32Array): { logits: Float64Array; grad: Float64Array } {
  const pass = head.front ? frontPass(head, grid) : undefined;
  if (pass) {
    pass.mark.fill(1);
    frontForward(head, grid, x, taps, pass);
  }
  const input = pass ? pass.h1 : x;
  const logits = new Float64Array(grid.count * classes);
  const grad = new Float64Array(head.params.length);
  for (let a = 0; a < grid.count; a++) {
    const s = headScratch(head);
    const out = new Float64Array(classes);
    anchorLogits(head, grid.level[a]!, input, a, out, s, taps);
    logits.set(out, a * classes);
    anchorBackward(head, grid.level[a]!, input, a, Float64Array.from(dLogits.subarray(a * classes, (a + 1) * classes)), 1, grad, s, taps, pass?.dh1);
  }
  if (pass) frontBackward(head, grid, x, taps, pass, grad);
  return { logits, grad };
}

const relClose = (got: ArrayLike<number>, want: ArrayLike<number>, what: string): void => {
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]!));
  expect(scale, what).toBeGreaterThan(0);
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!), `${what}[${i}]: ${got[i]} vs ${want[i]}`).toBeLessThan(2e-4 * scale);
};

describe('the tuned class branch run by onnxruntime', () => {
  it.each([['tuned-tower', false], ['tuned-full-tower', true]] as const)('%s: gives the JavaScript reference\'s logits at every anchor and its gradient of every parameter', async (_name, front) => {
    const head = makeHead(front);
    // A step's gradient: some anchors chosen, the rest zero.
    const dLogits = Float32Array.from({ length: grid.count * classes }, () => (random() < 0.4 ? random() - 0.5 : 0));
    const want = reference(head, dLogits);
    const runtime = await ClassBranchRuntime.open(head, grid);
    try {
      const pass = await runtime.forward(x);
      relClose(pass.logits, want.logits, 'logits');
      const grad = new Float64Array(head.params.length);
      await runtime.backward(pass, dLogits, grad);
      for (const l of levels) {
        const at = levelLayout(head, l);
        const blocks = [['front depthwise', at.fdw, at.fpw], ['front pointwise', at.fpw, at.dw], ['depthwise', at.dw, at.w1], ['pointwise', at.w1, at.w2], ['class conv', at.w2, at.end]] as const;
        for (const [name, from, to] of blocks) if (to > from) relClose(grad.subarray(from, to), want.grad.subarray(from, to), `level ${l} ${name}`);
      }
    } finally {
      await runtime.close();
      await runtime.close();
    }
  });

  it('refuses a head without a tuned depthwise + pointwise branch', async () => {
    const plain = initClassHead(3, classes, features, random);
    expect(ClassBranchRuntime.supports(plain)).toBe(false);
    await expect(ClassBranchRuntime.open(plain, grid)).rejects.toThrow(/no tuned depthwise \+ pointwise branch/);
  });
});
