import { expect } from 'vitest';

/**
 * Central finite difference of `loss` with respect to `params[i]` (step h), restoring the
 * parameter afterwards: the reference the hand-written backward passes are checked against.
 */
export function numericParamGradient(params: Float32Array, i: number, loss: () => number, h = 1e-3): number {
  const keep = params[i]!;
  params[i] = keep + h;
  const up = loss();
  params[i] = keep - h;
  const down = loss();
  params[i] = keep;
  // Float32 parameters: divide by the step actually taken.
  return (up - down) / (Math.fround(keep + h) - Math.fround(keep - h));
}

/**
 * Checks `grad` against finite differences of `loss` at the parameters `checked`, each to
 * `relative` x |numeric| + `absolute` (relative, so small depthwise gradients cannot pass a 1 %
 * error), and that more than half of them are non-zero (the check is not vacuous).
 */
export function expectGradientsMatch(params: Float32Array, grad: Float64Array, checked: readonly number[], loss: () => number, tolerance: { relative: number; absolute: number }): void {
  let nonZero = 0;
  for (const i of checked) {
    const numeric = numericParamGradient(params, i, loss);
    expect(Math.abs(grad[i]! - numeric), `parameter ${i}: ${grad[i]} vs ${numeric}`).toBeLessThan(tolerance.relative * Math.abs(numeric) + tolerance.absolute);
    if (Math.abs(grad[i]!) > 1e-6) nonZero++;
  }
  expect(nonZero).toBeGreaterThan(checked.length / 2);
}

/** Seeded random weights for hand-built test heads: `rand(n, scale)` values in +-scale/2, `conv(w, b, scale)` a weight + bias pair. */
export function randomWeights(random: () => number): {
  rand: (n: number, scale?: number) => Float32Array;
  conv: (w: number, b: number, scale?: number) => { weight: Float32Array; bias: Float32Array };
} {
  const rand = (n: number, scale = 1): Float32Array => Float32Array.from({ length: n }, () => scale * (random() - 0.5));
  return { rand, conv: (w, b, scale = 1) => ({ weight: rand(w, scale), bias: rand(b) }) };
}
