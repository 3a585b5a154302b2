import { describe, expect, it } from 'vitest';
import { WeightAverage } from './weight-average.ts';

describe('weight average (EMA of the head parameters)', () => {
  it('ramps its decay: the first update weighs 1 - 2/11, then (1 + t) / (10 + t) up to the set decay', () => {
    const average = WeightAverage.start(Float32Array.of(0, 10), 0.9);
    average.update(Float32Array.of(11, 21));
    // d_1 = 2 / 11
    expect(average.values[0]).toBeCloseTo(11 * (9 / 11), 12);
    expect(average.values[1]).toBeCloseTo((2 / 11) * 10 + (9 / 11) * 21, 12);
    for (let t = 2; t <= 200; t++) average.update(Float32Array.of(11, 21));
    // far into training d = 0.9: a constant input is approached geometrically
    expect(average.values[0]).toBeCloseTo(11, 6);
    const before = average.values[0]!;
    average.update(Float32Array.of(1, 21));
    expect(average.values[0]).toBeCloseTo(0.9 * before + 0.1 * 1, 12);
    expect(average.count).toBe(201);
  });

  it('averages noise away: the mean of steps scattered around a value lands nearer it than the last step', () => {
    const average = WeightAverage.start(Float32Array.of(0), 0.99);
    let state = 1;
    const noise = (): number => ((state = (state * 48271) % 2147483647) / 2147483647 - 0.5) * 2;
    let last = 0;
    for (let t = 0; t < 2000; t++) average.update(Float32Array.of((last = 5 + noise())));
    expect(Math.abs(average.values[0]! - 5)).toBeLessThan(0.1);
    expect(Math.abs(average.values[0]! - 5)).toBeLessThan(Math.abs(last - 5));
  });

  it('resumes where a saved average stopped: same values after the same further updates', () => {
    const a = WeightAverage.start(Float32Array.of(1, 2, 3), 0.95);
    for (let t = 0; t < 30; t++) a.update(Float32Array.of(t, -t, t / 2));
    const b = WeightAverage.resume(Array.from(a.values), 0.95, a.count);
    for (let t = 30; t < 40; t++) {
      a.update(Float32Array.of(t, -t, t / 2));
      b.update(Float32Array.of(t, -t, t / 2));
    }
    expect(Array.from(b.values)).toEqual(Array.from(a.values));
  });

  it('lends its values for one use and puts the trained parameters back, also when the use throws', async () => {
    const params = Float32Array.of(1, 2);
    const average = WeightAverage.start(Float32Array.of(7, 8), 0.9);
    expect(await average.applied(params, async () => Array.from(params))).toEqual([7, 8]);
    expect(Array.from(params)).toEqual([1, 2]);
    await expect(average.applied(params, async () => { throw new Error('scoring failed'); })).rejects.toThrow('scoring failed');
    expect(Array.from(params)).toEqual([1, 2]);
  });

  it('refuses a decay outside (0, 1) and a parameter vector of another size', () => {
    expect(() => WeightAverage.start(Float32Array.of(1), 1)).toThrow(/decay must be in \(0, 1\), got 1/);
    expect(() => WeightAverage.start(Float32Array.of(1), 0)).toThrow(RangeError);
    expect(() => WeightAverage.start(Float32Array.of(1), 0.9).update(Float32Array.of(1, 2))).toThrow(/holds 1 values, got 2/);
  });
});
