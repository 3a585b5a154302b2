import { describe, expect, it } from 'vitest';
import type { DecodeContext, DecoderParams, OutputTensor } from './decoder.ts';
import { yolov8Decoder } from './yolov8.ts';

function expectClose(actual: readonly number[], expected: readonly number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) => expect(v, `value ${i}`).toBeCloseTo(expected[i]!, 5));
}

function ctx(scoreThreshold: number, params: DecoderParams = {}): DecodeContext {
  return { inputWidth: 200, inputHeight: 100, numClasses: 2, scoreThreshold, params };
}

/** Channels first: one plane per channel, one column per anchor. */
function planes(values: number[][]): OutputTensor {
  return { name: 'output0', dims: [1, values.length, values[0]!.length], data: Float32Array.from(values.flat()) };
}

// anchor 0: (10, 20, 4, 6), classes [0.1, 0.7] -> class 1, 0.7, box [8, 17, 12, 23].
// anchor 1: (30, 30, 2, 2), classes [0.2, 0.3] -> class 1, 0.3, box [29, 29, 31, 31].
// anchor 2: (50, 50, 20, 10), classes [0.9, 0.4] -> class 0, 0.9, box [40, 45, 60, 55].
// anchor 3: (0, 0, 2, 2), classes [0.6, 0.6] -> tie, class 0, 0.6, box [-1, -1, 1, 1].
const output = planes([
  [10, 30, 50, 0],
  [20, 30, 50, 0],
  [4, 2, 20, 2],
  [6, 2, 10, 2],
  [0.1, 0.2, 0.9, 0.6],
  [0.7, 0.3, 0.4, 0.6],
]);

describe('yolov8Decoder.decode', () => {
  it('takes the best class per anchor with no objectness', () => {
    const c = yolov8Decoder.decode([output], ctx(0.5));
    expect(c.classIds).toEqual([1, 0, 0]);
    expectClose(c.scores, [0.7, 0.9, 0.6]);
    expectClose(c.boxes, [8, 17, 12, 23, 40, 45, 60, 55, -1, -1, 1, 1]);
  });

  it('respects the threshold', () => {
    expect(yolov8Decoder.decode([output], ctx(0.25)).classIds).toEqual([1, 1, 0, 0]);
    expect(yolov8Decoder.decode([output], ctx(0.8)).classIds).toEqual([0]);
    // A score equal to the threshold is kept: anchor 0's float32 0.7.
    expect(yolov8Decoder.decode([output], ctx(Math.fround(0.7))).classIds).toEqual([1, 0]);
  });

  it('scales normalised boxes by the input width and height', () => {
    const c = yolov8Decoder.decode([planes([[0.5], [0.5], [0.5], [0.25], [0], [1]])], ctx(0.5, { normalizedBoxes: true }));
    expectClose(c.boxes, [50, 37.5, 150, 62.5]);
  });
});

describe('yolov8Decoder.check', () => {
  const c80 = { inputWidth: 640, inputHeight: 640, numClasses: 80, scoreThreshold: 0.25, params: {} };

  it('accepts [1, 4 + C, N]', () => {
    expect(yolov8Decoder.check([{ name: 'output0', dims: [1, 84, 8400] }], c80)).toBeNull();
  });

  it('says so when the output looks transposed', () => {
    expect(yolov8Decoder.check([{ name: 'output0', dims: [1, 8400, 84] }], c80)).toBe(
      'output "output0" [1, 8400, 84] looks transposed: yolov8 expects channels first [1, 84, N] (cx, cy, w, h, 80 classes); re-export without the transpose',
    );
  });

  it('names the expected channel count otherwise', () => {
    expect(yolov8Decoder.check([{ name: 'output0', dims: [1, 85, 8400] }], c80)).toBe(
      'expected output "output0" channels first [1, 84, N] (cx, cy, w, h and 80 classes), found [1, 85, 8400]',
    );
  });
});
