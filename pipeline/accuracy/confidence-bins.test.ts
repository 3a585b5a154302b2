import { describe, expect, it } from 'vitest';
import { AccuracyOptionError } from './accuracy-errors.ts';
import { DEFAULT_BIN_EDGES, binOf, checkBinEdges } from './confidence-bins.ts';

describe('binOf', () => {
  it.each([
    [0.2999, '<0.30', 0, 0.3],
    [0.3, '0.30-0.40', 0.3, 0.4],
    [0.3999, '0.30-0.40', 0.3, 0.4],
    [0.7, '0.70-0.80', 0.7, 0.8],
    [0.9, '0.90-1.00', 0.9, 1],
    [1, '0.90-1.00', 0.9, 1],
    [1.2, '0.90-1.00', 0.9, 1],
  ])('puts %s in %s', (confidence, key, from, to) => {
    expect(binOf(confidence, DEFAULT_BIN_EDGES)).toEqual({ key, from, to });
  });
});

describe('checkBinEdges', () => {
  it('accepts increasing edges in 0-1 and rejects the rest', () => {
    expect(() => checkBinEdges([0, 0.5, 1])).not.toThrow();
    for (const bad of [[0.5], [0.5, 0.5], [0.6, 0.4], [0, 1.5], [Number.NaN, 1]]) {
      expect(() => checkBinEdges(bad)).toThrow(AccuracyOptionError);
    }
  });
});
