import { describe, expect, it } from 'vitest';
import type { DecodeContext, DecoderParams, OutputTensor } from './decoder.ts';
import { yolov5Decoder } from './yolov5.ts';

function expectClose(actual: readonly number[], expected: readonly number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) => expect(v, `value ${i}`).toBeCloseTo(expected[i]!, 5));
}

function ctx(scoreThreshold: number, params: DecoderParams = {}): DecodeContext {
  return { inputWidth: 200, inputHeight: 100, numClasses: 2, scoreThreshold, params };
}

function rows(values: number[][]): OutputTensor {
  return { name: 'output0', dims: [1, values.length, 7], data: Float32Array.from(values.flat()) };
}

describe('yolov5Decoder.decode', () => {
  // row 0: (10, 20, 4, 6), obj 0.9, classes [0.1, 0.8] -> class 1, 0.72, box [8, 17, 12, 23].
  // row 1: obj 0.3, classes [0.9, 0.9] -> 0.27 (first of equal classes: class 0), box [45, 45, 55, 55].
  const out = rows([
    [10, 20, 4, 6, 0.9, 0.1, 0.8],
    [50, 50, 10, 10, 0.3, 0.9, 0.9],
  ]);

  it('scores obj * best class and converts centre boxes to corners', () => {
    const c = yolov5Decoder.decode([out], ctx(0.5));
    expect(c.classIds).toEqual([1]);
    expectClose(c.scores, [0.72]);
    expectClose(c.boxes, [8, 17, 12, 23]);
  });

  it('breaks a class tie towards the lower id and respects the threshold', () => {
    const c = yolov5Decoder.decode([out], ctx(0.25));
    expect(c.classIds).toEqual([1, 0]);
    expectClose(c.scores, [0.72, 0.27]);
    expectClose(c.boxes.slice(4), [45, 45, 55, 55]);
    expect(yolov5Decoder.decode([out], ctx(0.73)).scores).toEqual([]);
  });

  it('scales normalised boxes by the input width and height', () => {
    // (0.5, 0.5, 0.5, 0.25) on 200x100 -> centre (100, 50), 100 x 25 -> [50, 37.5, 150, 62.5].
    const c = yolov5Decoder.decode([rows([[0.5, 0.5, 0.5, 0.25, 1, 0, 1]])], ctx(0.5, { normalizedBoxes: true }));
    expectClose(c.boxes, [50, 37.5, 150, 62.5]);
  });

  it('keeps a row whose score sits exactly on the threshold (obj 0.5, class 1.0)', () => {
    expect(yolov5Decoder.decode([rows([[4, 4, 2, 2, 0.5, 1, 0]])], ctx(0.5)).scores).toEqual([0.5]);
  });
});

describe('yolov5Decoder.check', () => {
  it('wants [1, N, 5 + classes]', () => {
    expect(yolov5Decoder.check([{ name: 'output0', dims: [1, 25200, 7] }], ctx(0.5))).toBeNull();
    expect(yolov5Decoder.check([{ name: 'output0', dims: [1, 25200, 6] }], ctx(0.5))).toBe(
      'expected output "output0" rows of cx, cy, w, h, obj and 2 classes [1, N, 7], found [1, 25200, 6]',
    );
    expect(yolov5Decoder.check([{ name: 'output0', dims: [25200, 7] }], ctx(0.5))).toMatch(/3-D tensor/);
  });
});
