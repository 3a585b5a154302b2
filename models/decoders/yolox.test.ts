import { describe, expect, it } from 'vitest';
import type { DecodeContext, OutputTensor } from './decoder.ts';
import { yoloxDecoder } from './yolox.ts';

function expectClose(actual: readonly number[], expected: readonly number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) => expect(v, `value ${i}`).toBeCloseTo(expected[i]!, 5));
}

/** 16x16 input, strides 8 and 16: 2x2 + 1x1 = 5 rows of (tx, ty, tw, th, obj, c0, c1). */
function ctx(scoreThreshold: number, params: DecodeContext['params'] = { strides: [8, 16] }): DecodeContext {
  return { inputWidth: 16, inputHeight: 16, numClasses: 2, scoreThreshold, params };
}

// row 0 (stride 8, gx 0, gy 0): obj 0.95, classes [0.3, 0.2] -> class 0, 0.95 * 0.3 = 0.285.
//   cx = cy = 0, w = h = e^0 * 8 = 8 -> [-4, -4, 4, 4].
// row 2 (stride 8, gx 0, gy 1): tx 0.5, ty 0.25, tw ln2, th 0, obj 0.8, classes [0.5, 0.9] -> class 1, 0.72.
//   cx = 0.5 * 8 = 4, cy = 1.25 * 8 = 10, w = 2 * 8 = 16, h = 8 -> [-4, 6, 12, 14].
// row 4 (stride 16, gx 0, gy 0): th ln 0.5, obj 0.9, classes [0.5, 0.1] -> class 0, 0.45.
//   cx = cy = 0, w = 16, h = 0.5 * 16 = 8 -> [-8, -4, 8, 4].
function output(): OutputTensor {
  const rows = [
    [0, 0, 0, 0, 0.95, 0.3, 0.2],
    [0, 0, 0, 0, 0, 0, 0],
    [0.5, 0.25, Math.LN2, 0, 0.8, 0.5, 0.9],
    [0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, Math.log(0.5), 0.9, 0.5, 0.1],
  ];
  return { name: 'output', dims: [1, 5, 7], data: Float32Array.from(rows.flat()) };
}

describe('yoloxDecoder.decode', () => {
  it('keeps rows whose obj * best class reaches the threshold', () => {
    const out = yoloxDecoder.decode([output()], ctx(0.5));
    expect(out.classIds).toEqual([1]);
    expect(out.scores[0]).toBeCloseTo(0.72, 6);
    expectClose(out.boxes, [-4, 6, 12, 14]);
  });

  it('walks the stride-16 rows after the stride-8 rows', () => {
    const out = yoloxDecoder.decode([output()], ctx(0.4));
    expect(out.classIds).toEqual([1, 0]);
    expectClose(out.scores, [0.72, 0.45]);
    expectClose(out.boxes, [-4, 6, 12, 14, -8, -4, 8, 4]);
  });

  it('drops a high-objectness row with weak classes until the threshold is below obj * cls', () => {
    expect(yoloxDecoder.decode([output()], ctx(0.4)).scores).toHaveLength(2);
    const out = yoloxDecoder.decode([output()], ctx(0.25));
    expect(out.classIds).toEqual([0, 1, 0]);
    expectClose(out.scores, [0.285, 0.72, 0.45]);
    expectClose(out.boxes.slice(0, 4), [-4, -4, 4, 4]);
  });
  it('keeps a row whose score sits exactly on the threshold (obj 0.5, class 1.0)', () => {
    const single: OutputTensor = { name: 'output', dims: [1, 1, 7], data: Float32Array.from([0, 0, 0, 0, 0.5, 1, 0]) };
    const out = yoloxDecoder.decode([single], ctx(0.5, { strides: [16] }));
    expect(out.scores).toEqual([0.5]);
    expectClose(out.boxes, [-8, -8, 8, 8]);
  });
});

describe('yoloxDecoder.check', () => {
  const base = { inputWidth: 416, inputHeight: 416, numClasses: 80, scoreThreshold: 0.35 };

  it('accepts YOLOX-nano-416 with the default strides 8, 16, 32', () => {
    // 52*52 + 26*26 + 13*13 = 2704 + 676 + 169 = 3549 rows.
    expect(yoloxDecoder.check([{ name: 'output', dims: [1, 3549, 85] }], { ...base, params: {} })).toBeNull();
  });

  it('says how many rows and values it expected', () => {
    expect(yoloxDecoder.check([{ name: 'output', dims: [1, 3548, 85] }], { ...base, params: {} })).toBe(
      'expected output "output" [1, 3549, 85] (grid cells of strides 8, 16, 32 on a 416x416 input, then tx, ty, tw, th, obj and 80 classes), found [1, 3548, 85]',
    );
    expect(yoloxDecoder.check([{ name: 'output', dims: [1, 3549, 84] }], { ...base, params: {} })).toMatch(/expected output "output" \[1, 3549, 85\]/);
  });

  it('refuses several outputs and a rank-2 tensor', () => {
    expect(yoloxDecoder.check([{ name: 'a', dims: [1, 5, 7] }, { name: 'b', dims: [1, 5, 7] }], ctx(0.5))).toBe(
      'expected 1 output [1, cells, 5 + classes], found 2',
    );
    expect(yoloxDecoder.check([{ name: 'a', dims: [5, 7] }], ctx(0.5))).toBe('expected output "a" to be a 3-D tensor [1, rows, values], found [5, 7]');
  });
});
