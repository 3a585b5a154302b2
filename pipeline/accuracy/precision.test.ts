import { describe, expect, it } from 'vitest';
import { proportion, wilsonInterval } from './precision.ts';

describe('wilsonInterval', () => {
  it('matches published values', () => {
    // 8 of 10: p = 0.8, z^2 = 3.8415; centre = (0.8 + 0.19207) / 1.38415 = 0.71674;
    // half = (1.95996 / 1.38415) * sqrt(0.016 + 0.0096037) = 1.41600 * 0.16001 = 0.22657.
    const i = wilsonInterval(8, 10)!;
    expect(i.lo).toBeCloseTo(0.4902, 4);
    expect(i.hi).toBeCloseTo(0.9433, 4);
    // 1 of 2 is symmetric about 0.5: [0.0945, 0.9055].
    const h = wilsonInterval(1, 2)!;
    expect(h.lo).toBeCloseTo(0.0945, 4);
    expect(h.hi).toBeCloseTo(0.9055, 4);
    expect(h.lo + h.hi).toBeCloseTo(1, 12);
  });

  it('is null without trials and touches 0 or 1 at the extremes', () => {
    expect(wilsonInterval(0, 0)).toBeNull();
    // 10 of 10: lo = n / (n + z^2) = 10 / 13.8415 = 0.7225.
    expect(wilsonInterval(10, 10)).toEqual({ lo: expect.closeTo(0.7225, 4), hi: 1 });
    // 0 of 10: the mirror image.
    expect(wilsonInterval(0, 10)).toEqual({ lo: 0, hi: expect.closeTo(0.2775, 4) });
  });

  it('narrows as n grows and rejects impossible counts', () => {
    const small = wilsonInterval(8, 10)!;
    const big = wilsonInterval(800, 1000)!;
    expect(big.hi - big.lo).toBeLessThan(small.hi - small.lo);
    expect(() => wilsonInterval(3, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(0.5, 2)).toThrow(RangeError);
  });
});

describe('proportion', () => {
  it('is k / n, or null for n = 0', () => {
    expect(proportion(3, 4)).toBe(0.75);
    expect(proportion(0, 0)).toBeNull();
  });
});
