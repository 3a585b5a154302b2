import { describe, expect, it } from 'vitest';
import { ModelShapeError } from '../errors.ts';
import type { DecodeContext, OutputTensor } from './decoder.ts';
import { gflDecoder } from './gfl.ts';

const LN3 = Math.log(3);

function tensor(name: string, dims: number[], values: number[]): OutputTensor {
  return { name, dims, data: Float32Array.from(values) };
}

function expectClose(actual: readonly number[], expected: readonly number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) => expect(v, `value ${i}`).toBeCloseTo(expected[i]!, 5));
}

/** 16x16 input, strides 8 and 16 (2x2 and 1x1 grids), 2 classes, regMax 1 (2 bins per side). */
function ctx(scoreThreshold: number, overrides: Partial<DecodeContext> = {}): DecodeContext {
  return { inputWidth: 16, inputHeight: 16, numClasses: 2, scoreThreshold, params: { strides: [8, 16], regMax: 1 }, ...overrides };
}

// Level 0 (stride 8, 4 cells):
//   cell 1 (col 1, row 0): classes [0.2, 0.9] -> class 1, score 0.9. Centre (1*8 + 3.5, 3.5) = (11.5, 3.5).
//     left bins [0, 0] -> E = 0.5 -> 4 px; top [0, ln3] -> p = [1/4, 3/4], E = 0.75 -> 6 px;
//     right [ln3, 0] -> E = 0.25 -> 2 px; bottom [0, 0] -> 4 px.  Box [7.5, -2.5, 13.5, 7.5].
//   cell 2 (col 0, row 1): classes [0.3, 0.1] -> class 0, score 0.3. Centre (3.5, 11.5), all sides 4 px:
//     box [-0.5, 7.5, 7.5, 15.5].
// Level 1 (stride 16, 1 cell): classes [0.6, 0.1] -> class 0, score 0.6. Centre (7.5, 7.5), all
//   sides 0.5 * 16 = 8 px: box [-0.5, -0.5, 15.5, 15.5].
function twoLevelOutputs(): OutputTensor[] {
  const box0 = new Array<number>(4 * 8).fill(0);
  box0.splice(8, 8, 0, 0, 0, LN3, LN3, 0, 0, 0);
  return [
    tensor('cls8', [1, 4, 2], [0.1, 0.2, 0.2, 0.9, 0.3, 0.1, 0.05, 0.05]),
    tensor('cls16', [1, 1, 2], [0.6, 0.1]),
    tensor('box8', [1, 4, 8], box0),
    tensor('box16', [1, 1, 8], new Array<number>(8).fill(0)),
  ];
}

describe('gflDecoder.decode', () => {
  it('decodes the cells at or above the threshold, level by level', () => {
    const out = gflDecoder.decode(twoLevelOutputs(), ctx(0.5));
    expect(out.classIds).toEqual([1, 0]);
    expect(out.scores).toEqual([Math.fround(0.9), Math.fround(0.6)]);
    expectClose(out.boxes, [7.5, -2.5, 13.5, 7.5, -0.5, -0.5, 15.5, 15.5]);
  });

  it('lowers the threshold to let the 0.3 cell in, in cell order', () => {
    const out = gflDecoder.decode(twoLevelOutputs(), ctx(0.25));
    expect(out.classIds).toEqual([1, 0, 0]);
    expect(out.scores).toEqual([Math.fround(0.9), Math.fround(0.3), Math.fround(0.6)]);
    expectClose(out.boxes, [7.5, -2.5, 13.5, 7.5, -0.5, 7.5, 7.5, 15.5, -0.5, -0.5, 15.5, 15.5]);
  });

  it('keeps a score exactly at the threshold and drops everything above the best score', () => {
    expect(gflDecoder.decode(twoLevelOutputs(), ctx(Math.fround(0.6))).scores).toEqual([Math.fround(0.9), Math.fround(0.6)]);
    expect(gflDecoder.decode(twoLevelOutputs(), ctx(0.95)).scores).toEqual([]);
  });

  it('uses ceil grids and row-major cells on a non-square input', () => {
    // 24x40 at stride 16: ceil(24/16) = 2 columns, ceil(40/16) = 3 rows, 6 cells. Cell 5 is col 1,
    // row 2: centre (16 + 7.5, 32 + 7.5) = (23.5, 39.5); all sides 8 px -> [15.5, 31.5, 31.5, 47.5].
    const cls = new Array<number>(12).fill(0);
    cls[11] = 0.7;
    const outputs = [tensor('cls', [1, 6, 2], cls), tensor('box', [1, 6, 8], new Array<number>(48).fill(0))];
    const c = ctx(0.5, { inputWidth: 24, inputHeight: 40, params: { strides: [16], regMax: 1 } });
    const out = gflDecoder.decode(outputs, c);
    expect(out.classIds).toEqual([1]);
    expectClose(out.boxes, [15.5, 31.5, 31.5, 47.5]);
  });

  it('defaults regMax to 7 (8 bins): a one-hot-ish bin 3 gives a distance of ~3 strides', () => {
    // Logit 30 on bin 3, 0 elsewhere: E = (3 e^30) / (e^30 + 7) ~= 3 - 21e-13; stride 8 -> 24 px.
    const side = [0, 0, 0, 30, 0, 0, 0, 0];
    const outputs = [tensor('cls', [1, 1, 1], [0.8]), tensor('box', [1, 1, 32], [...side, ...side, ...side, ...side])];
    const c: DecodeContext = { inputWidth: 8, inputHeight: 8, numClasses: 1, scoreThreshold: 0.5, params: { strides: [8] } };
    expectClose(gflDecoder.decode(outputs, c).boxes, [3.5 - 24, 3.5 - 24, 3.5 + 24, 3.5 + 24]);
  });

  it('does not mutate its inputs', () => {
    const outputs = twoLevelOutputs();
    const before = outputs.map((t) => Array.from(t.data));
    gflDecoder.decode(outputs, ctx(0.01));
    expect(outputs.map((t) => Array.from(t.data))).toEqual(before);
  });

  it('throws ModelShapeError when shapes or buffer sizes are wrong', () => {
    const short = twoLevelOutputs();
    short[2] = tensor('box8', [1, 4, 8], [0, 0]);
    expect(() => gflDecoder.decode(short, ctx(0.5))).toThrow(ModelShapeError);
    expect(() => gflDecoder.decode(short, ctx(0.5))).toThrow(/"box8" has dims \[1, 4, 8\] \(32 values\) but holds 2 values/);
    expect(() => gflDecoder.decode(twoLevelOutputs().slice(0, 3), ctx(0.5))).toThrow(/expected 4 outputs/);
  });
});

describe('gflDecoder.check', () => {
  const dims = (list: number[][]) => list.map((d, i) => ({ name: `out${i}`, dims: d }));

  it('accepts the real PicoDet-S-416 and NanoDet-m-416 shapes', () => {
    const pico = dims([[1, 2704, 80], [1, 676, 80], [1, 169, 80], [1, 49, 80], [1, 2704, 32], [1, 676, 32], [1, 169, 32], [1, 49, 32]]);
    const base = { inputWidth: 416, inputHeight: 416, numClasses: 80, scoreThreshold: 0.35 };
    expect(gflDecoder.check(pico, { ...base, params: { strides: [8, 16, 32, 64], regMax: 7 } })).toBeNull();
    const nano = dims([[1, 2704, 80], [1, 676, 80], [1, 169, 80], [1, 2704, 32], [1, 676, 32], [1, 169, 32]]);
    expect(gflDecoder.check(nano, { ...base, params: { strides: [8, 16, 32] } })).toBeNull();
    expect(gflDecoder.check(nano, { ...base, params: { strides: [8, 16, 32, 64] } })).toBe('expected 8 outputs (4 class-score tensors then 4 box-distribution tensors for strides 8, 16, 32, 64), found 6');
  });

  it('asks for strides when the card gives none', () => {
    expect(gflDecoder.check(twoLevelOutputs(), ctx(0.5, { params: { regMax: 1 } }))).toMatch(/gfl needs decoderParams\.strides/);
  });

  it('names the stride and both expected shapes when a cell count is off', () => {
    const outputs = dims([[1, 5, 2], [1, 1, 2], [1, 4, 8], [1, 1, 8]]);
    expect(gflDecoder.check(outputs, ctx(0.5))).toBe(
      'stride 8 on a 16x16 input has 4 cells, so expected class output 0 [1, 4, 2] and box output 2 [1, 4, 8], found [1, 5, 2] and [1, 4, 8]',
    );
  });

  it('reports a wrong class count and a wrong bin count', () => {
    expect(gflDecoder.check(dims([[1, 4, 3], [1, 1, 2], [1, 4, 8], [1, 1, 8]]), ctx(0.5))).toBe(
      'expected class output 0 ("out0") to end in 2 classes [1, 4, 2], found [1, 4, 3]',
    );
    expect(gflDecoder.check(dims([[1, 4, 2], [1, 1, 2], [1, 4, 8], [1, 1, 32]]), ctx(0.5))).toBe(
      'expected box output 3 ("out3") to end in 4 x (regMax 1 + 1) = 8 bins [1, 1, 8], found [1, 1, 32]',
    );
  });

  it('reports a tensor that is not [1, rows, values]', () => {
    expect(gflDecoder.check(dims([[4, 2], [1, 1, 2], [1, 4, 8], [1, 1, 8]]), ctx(0.5))).toBe(
      'expected class output 0 ("out0") to be a 3-D tensor [1, rows, values], found [4, 2]',
    );
  });
});
