import { describe, expect, it } from 'vitest';
import { argmaxAt } from './argmax.ts';

describe('argmaxAt', () => {
  const data = Float32Array.from([9, 0.1, 0.7, 0.3, 0.7, NaN, 0.2]);

  it.each([
    { at: 1, count: 4, step: 1, want: 1 }, // [0.1, 0.7, 0.3, 0.7]: first of the equal 0.7s
    { at: 1, count: 3, step: 2, want: 1 }, // indices 1, 3, 5: [0.1, 0.3, NaN]
    { at: 4, count: 3, step: 1, want: 0 }, // [0.7, NaN, 0.2]: NaN skipped
    { at: 5, count: 1, step: 1, want: 0 }, // [NaN] only: 0
    { at: 0, count: 7, step: 1, want: 0 }, // 9 is the largest
  ])('at $at, count $count, step $step -> $want', ({ at, count, step, want }) => {
    expect(argmaxAt(data, at, count, step)).toBe(want);
  });
});
