import { describe, expect, it } from 'vitest';
import { DecoderError } from '../errors.ts';
import type { DecodeContext, DecoderParams, OutputTensor } from './decoder.ts';
import { nmsFreeDecoder } from './nms-free.ts';

function expectClose(actual: readonly number[], expected: readonly number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) => expect(v, `value ${i}`).toBeCloseTo(expected[i]!, 5));
}

function ctx(scoreThreshold: number, params: DecoderParams = {}): DecodeContext {
  return { inputWidth: 200, inputHeight: 100, numClasses: 3, scoreThreshold, params };
}

function rows(values: number[][]): OutputTensor {
  return { name: 'output0', dims: [1, values.length, 6], data: Float32Array.from(values.flat()) };
}

describe('nmsFreeDecoder.decode', () => {
  const output = rows([
    [1, 2, 3, 4, 0.9, 2],
    [5, 6, 7, 8, 0.2, 1],
    [0, 0, 0, 0, 0, -1], // padding row
  ]);

  it('passes corner boxes through and drops rows under the threshold, padding included', () => {
    const c = nmsFreeDecoder.decode([output], ctx(0.5));
    expect(c.classIds).toEqual([2]);
    expectClose(c.scores, [0.9]);
    expect(c.boxes).toEqual([1, 2, 3, 4]);
    // A score equal to the threshold is kept: row 1's float32 0.2.
    expect(nmsFreeDecoder.decode([output], ctx(Math.fround(0.2))).classIds).toEqual([2, 1]);
  });

  it('scales normalised boxes: (0.1, 0.2, 0.3, 0.4) on 200x100 -> [20, 20, 60, 40]', () => {
    const c = nmsFreeDecoder.decode([rows([[0.1, 0.2, 0.3, 0.4, 0.8, 0]])], ctx(0.5, { normalizedBoxes: true }));
    expectClose(c.boxes, [20, 20, 60, 40]);
  });

  it('throws DecoderError for a kept row whose class id does not match the labels', () => {
    expect(() => nmsFreeDecoder.decode([rows([[0, 0, 1, 1, 0.9, 5]])], ctx(0.5))).toThrow(DecoderError);
    expect(() => nmsFreeDecoder.decode([rows([[0, 0, 1, 1, 0.9, 5]])], ctx(0.5))).toThrow('row 0 has class id 5, expected an integer in 0..2');
    expect(() => nmsFreeDecoder.decode([rows([[0, 0, 1, 1, 0.9, 1.5]])], ctx(0.5))).toThrow(/class id 1\.5/);
    expect(() => nmsFreeDecoder.decode([rows([[0, 0, 1, 1, 0.9, 3]])], ctx(0.5))).toThrow(/class id 3/);
    expect(() => nmsFreeDecoder.decode([rows([[0, 0, 1, 1, 0.9, -1]])], ctx(0.5))).toThrow(/class id -1/);
  });
});

describe('nmsFreeDecoder.check', () => {
  it('wants [1, K, 6]', () => {
    expect(nmsFreeDecoder.check([{ name: 'output0', dims: [1, 300, 6] }], ctx(0.5))).toBeNull();
    expect(nmsFreeDecoder.check([{ name: 'output0', dims: [1, 300, 7] }], ctx(0.5))).toBe(
      'expected output "output0" rows of x1, y1, x2, y2, score, class [1, K, 6], found [1, 300, 7]',
    );
    expect(nmsFreeDecoder.check([{ name: 'output0', dims: [2, 300, 6] }], ctx(0.5))).toMatch(/3-D tensor \[1, rows, values\]/);
  });
});
