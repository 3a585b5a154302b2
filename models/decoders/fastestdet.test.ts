import { describe, expect, it } from 'vitest';
import type { DecodeContext, DecoderParams, OutputTensor } from './decoder.ts';
import { fastestDetDecoder } from './fastestdet.ts';

function expectClose(actual: readonly number[], expected: readonly number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) => expect(v, `value ${i}`).toBeCloseTo(expected[i]!, 5));
}

/** 100 wide x 200 high input, 2 classes. */
function ctx(scoreThreshold: number, params: DecoderParams = {}): DecodeContext {
  return { inputWidth: 100, inputHeight: 200, numClasses: 2, scoreThreshold, params };
}

// A 2x2 grid, planes [obj, tx, ty, tw, th, c0, c1], cells in order (gx, gy) = (0,0), (1,0), (0,1), (1,1).
// cell 0: obj 0.05, classes [1, 0]: score 0.05^0.6 = 0.165723; box centre (0, 0), w = 0.5 * 100, h = 0.5 * 200
//   -> [-25, -50, 25, 50].
// cell 1: obj 0.8, tx atanh(0.5), ty 0, tw 0, th ln3, classes [0.2, 0.5]: class 1,
//   score 0.8^0.6 * 0.5^0.4 = 0.662891.
//   cx = (1 + 0.5) / 2 * 100 = 75, cy = 0, w = sigmoid(0) * 100 = 50, h = sigmoid(ln3) * 200 = 150
//   -> [50, -75, 100, 75].
// cell 2: obj 0.3, classes [0.9, 0.1]: class 0, 0.3^0.6 * 0.9^0.4 = 0.465554; cx 0, cy = 1/2 * 200 = 100
//   -> [-25, 50, 25, 150].
// cell 3: obj 0.9 but classes [0, 0]: score 0, never kept.
function output(): OutputTensor {
  const planes = [
    [0.05, 0.8, 0.3, 0.9],
    [0, Math.atanh(0.5), 0, 0],
    [0, 0, 0, 0],
    [0, 0, 0, 0],
    [0, Math.log(3), 0, 0],
    [1, 0.2, 0.9, 0],
    [0, 0.5, 0.1, 0],
  ];
  return { name: '758', dims: [1, 7, 2, 2], data: Float32Array.from(planes.flat()) };
}

describe('fastestDetDecoder.decode', () => {
  it('scores obj^0.6 * cls^0.4 by default and scales boxes to the input', () => {
    const out = fastestDetDecoder.decode([output()], ctx(0.5));
    expect(out.classIds).toEqual([1]);
    expect(out.scores[0]).toBeCloseTo(0.662891, 5);
    expectClose(out.boxes, [50, -75, 100, 75]);
  });

  it('lowers the threshold cell by cell, in row-major order', () => {
    const out = fastestDetDecoder.decode([output()], ctx(0.4));
    expect(out.classIds).toEqual([1, 0]);
    expectClose(out.scores, [0.662891, 0.465554]);
    expectClose(out.boxes, [50, -75, 100, 75, -25, 50, 25, 150]);
    const all = fastestDetDecoder.decode([output()], ctx(0.1));
    expect(all.classIds).toEqual([0, 1, 0]);
    expectClose(all.scores, [0.165723, 0.662891, 0.465554]);
    expectClose(all.boxes.slice(0, 4), [-25, -50, 25, 50]);
  });

  it('honours params.objPower', () => {
    // objPower 0.5: cell 1 sqrt(0.8 * 0.5) = 0.632456, cell 2 sqrt(0.3 * 0.9) = 0.519615 (0.4656 at 0.6).
    const out = fastestDetDecoder.decode([output()], ctx(0.5, { objPower: 0.5 }));
    expect(out.classIds).toEqual([1, 0]);
    expectClose(out.scores, [0.632456, 0.519615]);
    // objPower 1: score = obj, so the zero-class cell 3 (obj 0.9) passes with class 0.
    const objOnly = fastestDetDecoder.decode([output()], ctx(0.85, { objPower: 1 }));
    expect(objOnly.classIds).toEqual([0]);
    expectClose(objOnly.scores, [0.9]);
  });

  it('keeps a cell sitting exactly on the threshold (obj 0.25, cls 1, objPower 0.5 -> 0.5)', () => {
    const data = new Float32Array(7 * 1 * 1);
    data[0] = 0.25;
    data[5] = 1;
    const out = fastestDetDecoder.decode([{ name: 'o', dims: [1, 7, 1, 1], data }], ctx(0.5, { objPower: 0.5 }));
    expect(out.scores).toEqual([0.5]);
  });

  it('keeps a cell on the threshold even when pow(threshold, 1 / p) rounds above its obj', () => {
    // obj = 0.49705374 (a float32), cls 1, p 0.6: score = obj^0.6 = 0.65741863 is the threshold, yet
    // threshold^(1 / 0.6) computes as 0.4970537424087525 > obj, so an unshaded objectness cut drops it.
    const obj = Math.fround(0.49705374240875244);
    const threshold = Math.pow(obj, 0.6);
    expect(Math.pow(threshold, 1 / 0.6)).toBeGreaterThan(obj);
    const data = new Float32Array(7);
    data[0] = obj;
    data[5] = 1;
    const out = fastestDetDecoder.decode([{ name: 'o', dims: [1, 7, 1, 1], data }], ctx(threshold));
    expect(out.scores).toEqual([threshold]);
  });
});

describe('fastestDetDecoder.check', () => {
  it('accepts [1, 5 + C, H, W] and names the expected channels otherwise', () => {
    const c80 = { inputWidth: 352, inputHeight: 352, numClasses: 80, scoreThreshold: 0.3, params: {} };
    expect(fastestDetDecoder.check([{ name: '758', dims: [1, 85, 22, 22] }], c80)).toBeNull();
    expect(fastestDetDecoder.check([{ name: '758', dims: [1, 84, 22, 22] }], c80)).toBe(
      'expected output "758" to be [1, 85, H, W] (obj, tx, ty, tw, th and 80 class maps), found [1, 84, 22, 22]',
    );
    expect(fastestDetDecoder.check([{ name: '758', dims: [1, 85, 484] }], c80)).toMatch(/found \[1, 85, 484\]/);
    expect(fastestDetDecoder.check([], c80)).toBe('expected 1 output [1, 5 + classes, H, W], found 0');
  });
});
