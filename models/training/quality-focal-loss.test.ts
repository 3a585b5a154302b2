import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../pipeline/patrol/simulation/random.ts';
import { numericParamGradient } from '../../test-fixtures/lib/param-gradient.ts';
import { anchorBackward, anchorLogits, headScratch, initClassHead, levelLayout } from './class-head.ts';
import { qualityFocalLoss } from './quality-focal-loss.ts';

const numeric = (f: (x: number) => number, x: number, h = 1e-5): number => (f(x + h) - f(x - h)) / (2 * h);

describe('qualityFocalLoss', () => {
  it.each([
    [-4.6, 0],
    [0, 0],
    [2, 0],
    [-1, 0.7],
    [0.5, 0.7],
    [3, 0.3],
    [-30, 0.9],
  ])('gradient at x %d, target %d matches a finite difference', (x, y) => {
    const { grad } = qualityFocalLoss(x, y);
    expect(grad).toBeCloseTo(numeric((v) => qualityFocalLoss(v, y).loss, x), 6);
  });

  it('is zero where the score equals the soft target, and larger the further it is', () => {
    const logit = Math.log(0.6 / 0.4);
    expect(qualityFocalLoss(logit, 0.6).loss).toBeCloseTo(0, 12);
    expect(qualityFocalLoss(-2, 0.6).loss).toBeGreaterThan(qualityFocalLoss(0, 0.6).loss);
    // An easy negative (score 0.01) costs ~1e-4 of a hard one (score 0.5): the focal down-weighting.
    expect(qualityFocalLoss(-4.6, 0).loss / qualityFocalLoss(0, 0).loss).toBeLessThan(1e-3);
  });
});

describe('class head backward pass', () => {
  it.each([0, 1])('matches finite differences of the loss (%d pointwise layers)', (layers) => {
    const random = seededRandom(5);
    const features = 6;
    const pointwise = layers ? [0, 1].map(() => ({ weight: Float32Array.from({ length: 16 * features }, () => random() - 0.5), bias: Float32Array.from({ length: 16 }, () => random() - 0.5) })) : [];
    const head = initClassHead(2, 3, features, random, pointwise);
    for (let i = 0; i < head.params.length; i++) head.params[i] = head.params[i]! + 0.3 * (random() - 0.5);
    const x = Float32Array.from({ length: features }, () => 2 * random());
    const targets = [0.6, 0, 0];
    const loss = (): number => {
      const out = new Float64Array(3);
      anchorLogits(head, 1, x, 0, out, headScratch(head));
      return targets.reduce((s, y, k) => s + qualityFocalLoss(out[k]!, y).loss, 0);
    };
    const s = headScratch(head);
    const logits = new Float64Array(3);
    anchorLogits(head, 1, x, 0, logits, s);
    const g = Float64Array.from(targets, (y, k) => qualityFocalLoss(logits[k]!, y).grad);
    const grad = new Float64Array(head.params.length);
    anchorBackward(head, 1, x, 0, g, 1, grad, s);
    const at = levelLayout(head, 1);
    expect(grad.subarray(0, levelLayout(head, 0).end).every((v) => v === 0)).toBe(true);
    for (const i of [at.w1, at.b1 - 1, at.w2 + 1, at.b2, at.end - 1].filter((i, n, all) => all.indexOf(i) === n && i < at.end)) {
      expect(grad[i]!, `parameter ${i}`).toBeCloseTo(numericParamGradient(head.params, i, loss), 3);
    }
  });
});
