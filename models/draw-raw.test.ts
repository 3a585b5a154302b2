import { describe, expect, it } from 'vitest';
import { blendMask, type Canvas, fillRect, strokePolygon, strokeRect } from './draw-raw.ts';

const canvas = (w: number, h: number): Canvas => ({ width: w, height: h, data: new Uint8Array(w * h * 3) });
const red = (c: Canvas, x: number, y: number): number => c.data[(y * c.width + x) * 3]!;
const count = (c: Canvas): number => {
  let n = 0;
  for (let i = 0; i < c.data.length; i += 3) if (c.data[i]! > 0) n++;
  return n;
};

describe('drawing into raw RGB', () => {
  it('fills a rectangle, clipped to the canvas', () => {
    const c = canvas(10, 10);
    fillRect(c, -5, 8, 3, 20, [255, 0, 0]);
    expect(count(c)).toBe(3 * 2);
    expect(red(c, 2, 9)).toBe(255);
    expect(red(c, 3, 9)).toBe(0);
  });

  it('outlines a box inside its edges and leaves the middle alone', () => {
    const c = canvas(20, 20);
    strokeRect(c, [2, 2, 12, 12], 2, [255, 0, 0]);
    expect([red(c, 2, 2), red(c, 11, 11), red(c, 3, 7), red(c, 10, 7)]).toEqual([255, 255, 255, 255]);
    expect(red(c, 7, 7)).toBe(0);
    expect(red(c, 12, 7)).toBe(0);
    expect(count(c)).toBe(100 - 36);
  });

  it('strokes a dashed polygon: pixels on along every edge, with gaps', () => {
    const c = canvas(100, 100);
    strokePolygon(c, [[10, 10], [90, 10], [90, 90], [10, 90]], 2, [255, 0, 0], 8, 4);
    const top = Array.from({ length: 80 }, (_, i) => red(c, 10 + i, 10));
    const on = top.filter((v) => v > 0).length;
    expect(on).toBeGreaterThan(45);
    expect(on).toBeLessThan(70);
    expect(red(c, 50, 50)).toBe(0);
    for (const [x, y] of [[90, 30], [50, 90], [10, 50]] as const) {
      const near = [-3, -2, -1, 0, 1, 2, 3].some((d) => (x === 90 || x === 10 ? red(c, x, y + d) : red(c, x + d, y)) > 0);
      expect(near).toBe(true);
    }
  });

  it('a solid polygon (gap 0) has no holes', () => {
    const c = canvas(50, 50);
    strokePolygon(c, [[5, 5], [45, 5], [45, 45]], 1, [255, 0, 0], 4, 0);
    for (let x = 6; x < 44; x++) expect(red(c, x, 5)).toBe(255);
  });

  it('blends a colour through an alpha mask, clipped', () => {
    const c = canvas(4, 4);
    blendMask(c, { width: 3, height: 1, alpha: Uint8Array.from([0, 128, 255]) }, 2, 3, [200, 0, 0]);
    expect([red(c, 2, 3), red(c, 3, 3)]).toEqual([0, 100]);
    expect(count(c)).toBe(1);
  });
});
