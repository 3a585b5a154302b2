import { describe, expect, it } from 'vitest';
import { ImageInputError } from '../errors.ts';
import { boxesToSource, computeTransform, contentRect, type InputGeometry } from './transform.ts';

const into = (width: number, height: number, resize: InputGeometry['resize']): InputGeometry => ({ width, height, resize });

describe('computeTransform', () => {
  it.each([
    // src w, h, input w, h, mode, scaleX, scaleY, padX, padY, content w, h
    [200, 100, 100, 100, 'stretch', 0.5, 1, 0, 0, 100, 100],
    [200, 100, 100, 100, 'letterbox-top-left', 0.5, 0.5, 0, 0, 100, 50],
    [200, 100, 100, 100, 'letterbox-center', 0.5, 0.5, 0, 25, 100, 50],
    [100, 200, 100, 100, 'letterbox-center', 0.5, 0.5, 25, 0, 50, 100],
    [100, 200, 100, 100, 'letterbox-top-left', 0.5, 0.5, 0, 0, 50, 100],
    [50, 25, 100, 100, 'letterbox-center', 2, 2, 0, 25, 100, 50],
    [50, 25, 100, 100, 'stretch', 2, 4, 0, 0, 100, 100],
    // 100x50 -> 11x11: content 11 x round(5.5) = 6, spare 5: floor(2.5) = 2 on top, 3 below
    [100, 50, 11, 11, 'letterbox-center', 0.11, 0.11, 0, 2, 11, 6],
    [1920, 1080, 416, 416, 'letterbox-top-left', 416 / 1920, 416 / 1920, 0, 0, 416, 234],
    [1920, 1080, 416, 416, 'letterbox-center', 416 / 1920, 416 / 1920, 0, 91, 416, 234],
    [416, 416, 416, 416, 'letterbox-center', 1, 1, 0, 0, 416, 416],
  ] as const)('%ix%i into %ix%i %s', (sw, sh, iw, ih, mode, sx, sy, px, py, cw, ch) => {
    const t = computeTransform(sw, sh, into(iw, ih, mode));
    expect(t.srcWidth).toBe(sw);
    expect(t.srcHeight).toBe(sh);
    expect(t.scaleX).toBeCloseTo(sx, 12);
    expect(t.scaleY).toBeCloseTo(sy, 12);
    expect([t.padX, t.padY]).toEqual([px, py]);
    expect(contentRect(t, iw, ih)).toEqual({ x: px, y: py, width: cw, height: ch });
  });

  it.each([
    [0, 10],
    [10, -1],
    [10.5, 10],
    [Number.NaN, 10],
  ])('rejects source size %s x %s', (w, h) => {
    expect(() => computeTransform(w, h, into(8, 8, 'stretch'))).toThrow(ImageInputError);
  });
});

describe('boxesToSource', () => {
  const toInput = (b: number[], t: ReturnType<typeof computeTransform>) =>
    b.map((v, i) => (i % 2 === 0 ? v * t.scaleX + t.padX : v * t.scaleY + t.padY));

  it.each(['stretch', 'letterbox-top-left', 'letterbox-center'] as const)('round-trips boxes inside the image (%s)', (mode) => {
    const t = computeTransform(200, 100, into(100, 100, mode));
    const src = [20, 10, 180, 90, 0, 0, 200, 100, 50.5, 25.25, 51, 26];
    const back = boxesToSource(toInput(src, t), t);
    src.forEach((v, i) => expect(back[i]).toBeCloseTo(v, 10));
  });

  it('maps letterbox-center input pixels by hand', () => {
    const t = computeTransform(200, 100, into(100, 100, 'letterbox-center'));
    // input (10, 30)-(60, 70): x / 0.5, (y - 25) / 0.5
    expect(boxesToSource([10, 30, 60, 70], t)).toEqual([20, 10, 120, 90]);
  });

  it('clips to [0, srcW] x [0, srcH], including boxes in the padding', () => {
    const t = computeTransform(200, 100, into(100, 100, 'letterbox-center'));
    expect(boxesToSource([-10, 10, 120, 90], t)).toEqual([0, 0, 200, 100]);
    // entirely in the bottom pad band: collapses onto the bottom edge
    expect(boxesToSource([10, 80, 20, 95], t)).toEqual([20, 100, 40, 100]);
    const tl = computeTransform(200, 100, into(100, 100, 'letterbox-top-left'));
    expect(boxesToSource([90, 40, 110, 60], tl)).toEqual([180, 80, 200, 100]);
  });

  it('writes into a given output, in place or into a Float32Array', () => {
    const t = computeTransform(200, 100, into(100, 100, 'stretch'));
    const boxes = [10, 10, 20, 20];
    const same = boxesToSource(boxes, t, boxes);
    expect(same).toBe(boxes);
    expect(boxes).toEqual([20, 10, 40, 20]);
    const f32 = new Float32Array(4);
    expect(boxesToSource([10, 10, 20, 20], t, f32)).toBe(f32);
    expect([...f32]).toEqual([20, 10, 40, 20]);
  });

  it('leaves its input alone and returns an empty array for no boxes', () => {
    const t = computeTransform(200, 100, into(100, 100, 'stretch'));
    const boxes = Object.freeze([10, 10, 20, 20]);
    expect(boxesToSource(boxes, t)).toEqual([20, 10, 40, 20]);
    expect(boxesToSource([], t)).toEqual([]);
  });

  it('rejects a length that is not a multiple of 4 or a short output', () => {
    const t = computeTransform(200, 100, into(100, 100, 'stretch'));
    expect(() => boxesToSource([1, 2, 3], t)).toThrow(RangeError);
    expect(() => boxesToSource([1, 2, 3, 4], t, new Float32Array(3))).toThrow(RangeError);
  });
});
