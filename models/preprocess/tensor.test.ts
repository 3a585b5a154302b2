import { describe, expect, it } from 'vitest';
import { ImageInputError } from '../errors.ts';
import type { InputSpec } from '../model-card.ts';
import type { RgbFrame } from './frame.ts';
import { preprocessRgb } from './tensor.ts';

const spec = (over: Partial<InputSpec> = {}): InputSpec => ({
  name: 'x',
  width: 2,
  height: 2,
  layout: 'NCHW',
  colorOrder: 'RGB',
  scale: 1,
  mean: [0, 0, 0],
  std: [1, 1, 1],
  resize: 'stretch',
  padValue: 114,
  ...over,
});

/** A frame whose pixel (x, y) is rgb(x, y). */
function frameOf(width: number, height: number, rgb: (x: number, y: number) => [number, number, number]): RgbFrame {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set(rgb(x, y), (y * width + x) * 3);
  }
  return { width, height, data };
}

/** Channel c of input pixel (x, y), whatever the layout. */
function at(t: Float32Array, s: InputSpec, c: number, x: number, y: number): number {
  return s.layout === 'NCHW' ? t[c * s.width * s.height + y * s.width + x]! : t[(y * s.width + x) * 3 + c]!;
}

function expectClose(actual: ArrayLike<number>, expected: readonly number[], digits = 4): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((v, i) => expect(actual[i]).toBeCloseTo(v, digits));
}

// 2x2 frame: pixels (10,20,30) (40,50,60) / (70,80,90) (100,110,120)
const tiny = frameOf(2, 2, (x, y) => [10 + 30 * x + 60 * y, 20 + 30 * x + 60 * y, 30 + 30 * x + 60 * y]);

describe('preprocessRgb on a same-size frame (identity)', () => {
  it('RGB NCHW keeps the raw values in R, G, B planes', () => {
    const { tensor, transform } = preprocessRgb(tiny, spec());
    expect([...tensor]).toEqual([10, 40, 70, 100, 20, 50, 80, 110, 30, 60, 90, 120]);
    expect(transform).toMatchObject({ scaleX: 1, scaleY: 1, padX: 0, padY: 0 });
  });

  it('BGR NCHW puts the blue plane first', () => {
    const { tensor } = preprocessRgb(tiny, spec({ colorOrder: 'BGR' }));
    expect([...tensor]).toEqual([30, 60, 90, 120, 20, 50, 80, 110, 10, 40, 70, 100]);
  });

  it('RGB and BGR NHWC interleave per pixel', () => {
    expect([...preprocessRgb(tiny, spec({ layout: 'NHWC' })).tensor]).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120]);
    expect([...preprocessRgb(tiny, spec({ layout: 'NHWC', colorOrder: 'BGR' })).tensor]).toEqual([
      30, 20, 10, 60, 50, 40, 90, 80, 70, 120, 110, 100,
    ]);
  });

  it('applies (pixel * scale - mean) / std with mean/std in RGB order', () => {
    const s = spec({ scale: 0.5, mean: [1, 2, 3], std: [2, 4, 6] });
    const { tensor } = preprocessRgb(tiny, s);
    // R (10*0.5-1)/2 = 2, G (20*0.5-2)/4 = 2, B (30*0.5-3)/6 = 2 at pixel (0, 0)
    expect([at(tensor, s, 0, 0, 0), at(tensor, s, 1, 0, 0), at(tensor, s, 2, 0, 0)]).toEqual([2, 2, 2]);
    expectClose(tensor.subarray(0, 4), [2, 9.5, 17, 24.5]);
  });

  it('reads mean/std in BGR order for a BGR card', () => {
    const s = spec({ colorOrder: 'BGR', scale: 0.5, mean: [3, 2, 1], std: [6, 4, 2] });
    const { tensor } = preprocessRgb(tiny, s);
    // channel 0 is blue: (30*0.5 - 3) / 6 = 2, ... (120*0.5 - 3) / 6 = 9.5
    expectClose(tensor.subarray(0, 4), [2, 4.5, 7, 9.5]);
    expectClose(tensor.subarray(8, 12), [2, 9.5, 17, 24.5]);
  });

  it('uses the ImageNet normalisation of the PicoDet card', () => {
    const s = spec({ mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375] });
    const { tensor } = preprocessRgb(tiny, s);
    expect(at(tensor, s, 0, 1, 1)).toBeCloseTo((100 - 123.675) / 58.395, 5);
    expect(at(tensor, s, 2, 0, 1)).toBeCloseTo((90 - 103.53) / 57.375, 5);
  });
});

describe('preprocessRgb resampling', () => {
  // R and G are linear in x and y, so bilinear samples equal the function at the sample point;
  // B is a checkerboard of 0/100, whose 2x2 blocks average to 50.
  const four = frameOf(4, 4, (x, y) => [10 * x + 40 * y, 3 * x + 5 * y + 1, (x + y) % 2 === 0 ? 0 : 100]);

  it('4x4 -> 2x2 averages each 2x2 block (samples at source x, y = 0.5 and 2.5)', () => {
    const s = spec();
    const { tensor } = preprocessRgb(four, s);
    // R at (0.5,0.5)=25, (2.5,0.5)=45, (0.5,2.5)=105, (2.5,2.5)=125
    expectClose(tensor.subarray(0, 4), [25, 45, 105, 125]);
    // G = 3x + 5y + 1: 5, 11, 15, 21
    expectClose(tensor.subarray(4, 8), [5, 11, 15, 21]);
    expectClose(tensor.subarray(8, 12), [50, 50, 50, 50]);
  });

  it('2x2 -> 4x4 interpolates and clamps at the edges', () => {
    const two = frameOf(2, 2, (x, y) => [100 * x, 100 * y, 0]);
    const s = spec({ width: 4, height: 4 });
    const { tensor } = preprocessRgb(two, s);
    // sample x = (i + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25 -> clamped 0, 0.25, 0.75, 1
    for (let y = 0; y < 4; y++) expectClose([0, 1, 2, 3].map((x) => at(tensor, s, 0, x, y)), [0, 25, 75, 100]);
    for (let x = 0; x < 4; x++) expectClose([0, 1, 2, 3].map((y) => at(tensor, s, 1, x, y)), [0, 25, 75, 100]);
  });

  it('stretches each axis independently (4x2 -> 2x2)', () => {
    const wide = frameOf(4, 2, (x, y) => [10 * x, 10 * y, 0]);
    const s = spec();
    const { tensor, transform } = preprocessRgb(wide, s);
    expect(transform).toMatchObject({ scaleX: 0.5, scaleY: 1 });
    expectClose(tensor.subarray(0, 4), [5, 25, 5, 25]);
    expectClose(tensor.subarray(4, 8), [0, 0, 10, 10]);
  });
});

describe('preprocessRgb letterbox padding', () => {
  // 8x4 -> 4x4: scale 0.5, content 4x2; R = 10x + 40y so block averages are 10(2i+0.5) + 40(2j+0.5)
  const wide = frameOf(8, 4, (x, y) => [10 * x + 40 * y, 7, 200]);
  const content = [
    [25, 45, 65, 85],
    [105, 125, 145, 165],
  ];

  it('letterbox-top-left: content rows 0-1, padValue in rows 2-3, normalised', () => {
    const s = spec({ width: 4, height: 4, resize: 'letterbox-top-left', scale: 1 / 255, padValue: 114 });
    const { tensor, transform } = preprocessRgb(wide, s);
    expect(transform).toMatchObject({ scaleX: 0.5, scaleY: 0.5, padX: 0, padY: 0 });
    expectClose(tensor.subarray(0, 8), content.flat().map((v) => v / 255));
    expectClose(tensor.subarray(8, 16), new Array<number>(8).fill(114 / 255));
    expectClose(tensor.subarray(16, 24), new Array<number>(8).fill(7 / 255));
    expectClose(tensor.subarray(40, 48), new Array<number>(8).fill(114 / 255));
  });

  it('letterbox-center: pad row 0 and row 3, content rows 1-2, pad normalised with mean/std', () => {
    const s = spec({ width: 4, height: 4, resize: 'letterbox-center', mean: [100, 0, 0], std: [2, 1, 1], padValue: 0 });
    const { tensor, transform } = preprocessRgb(wide, s);
    expect(transform).toMatchObject({ padX: 0, padY: 1 });
    const pad = (0 - 100) / 2;
    expectClose(tensor.subarray(0, 16), [pad, pad, pad, pad, ...content.flat().map((v) => (v - 100) / 2), pad, pad, pad, pad]);
    expectClose(tensor.subarray(32, 48), [0, 0, 0, 0, 200, 200, 200, 200, 200, 200, 200, 200, 0, 0, 0, 0]);
  });

  it('pads left and right for a tall frame, in NHWC and BGR', () => {
    const tall = frameOf(2, 4, () => [1, 2, 3]);
    const s = spec({ width: 4, height: 4, resize: 'letterbox-center', layout: 'NHWC', colorOrder: 'BGR', padValue: 9 });
    const { tensor, transform } = preprocessRgb(tall, s);
    expect(transform).toMatchObject({ scaleX: 1, padX: 1, padY: 0 });
    for (let y = 0; y < 4; y++) {
      expect([...tensor.subarray(y * 12, y * 12 + 12)]).toEqual([9, 9, 9, 3, 2, 1, 3, 2, 1, 9, 9, 9]);
    }
  });
});

describe('preprocessRgb output buffer', () => {
  const modes = ['stretch', 'letterbox-top-left', 'letterbox-center'] as const;
  const layouts = ['NCHW', 'NHWC'] as const;
  const frame = frameOf(13, 7, (x, y) => [x * 19, y * 31, (x * y) % 256]);

  it.each(modes.flatMap((m) => layouts.map((l) => [m, l] as const)))('%s %s overwrites every element of a reused buffer', (resize, layout) => {
    const s = spec({ width: 10, height: 12, resize, layout });
    const out = new Float32Array(3 * 10 * 12).fill(Number.NaN);
    const { tensor } = preprocessRgb(frame, s, out);
    expect(tensor).toBe(out);
    expect(out.some(Number.isNaN)).toBe(false);
    expect([...preprocessRgb(frame, s).tensor]).toEqual([...out]);
  });

  it('rejects a buffer of the wrong size', () => {
    expect(() => preprocessRgb(tiny, spec(), new Float32Array(11))).toThrow(RangeError);
  });

  it('reuses the cached geometry for a stream of same-sized frames', () => {
    const s = spec({ width: 10, height: 12, resize: 'letterbox-center' });
    expect(preprocessRgb(frame, s).transform).toBe(preprocessRgb(frame, s).transform);
  });
});

describe('preprocessRgb against a plain floating-point bilinear reference', () => {
  /** Straightforward per-pixel bilinear with half-pixel centres, no tables, no fixed point. */
  function reference(f: RgbFrame, s: InputSpec, t: { scaleX: number; scaleY: number; padX: number; padY: number }, cw: number, ch: number) {
    const out: number[][][] = [];
    for (let c = 0; c < 3; c++) {
      out.push([]);
      for (let y = 0; y < s.height; y++) {
        out[c]!.push([]);
        for (let x = 0; x < s.width; x++) {
          const inside = x >= t.padX && x < t.padX + cw && y >= t.padY && y < t.padY + ch;
          if (!inside) {
            out[c]![y]!.push(s.padValue);
            continue;
          }
          const sx = Math.min(Math.max((x - t.padX + 0.5) / t.scaleX - 0.5, 0), f.width - 1);
          const sy = Math.min(Math.max((y - t.padY + 0.5) / t.scaleY - 0.5, 0), f.height - 1);
          const x0 = Math.floor(sx);
          const y0 = Math.floor(sy);
          const x1 = Math.min(x0 + 1, f.width - 1);
          const y1 = Math.min(y0 + 1, f.height - 1);
          const px = (xx: number, yy: number) => f.data[(yy * f.width + xx) * 3 + c]!;
          const top = px(x0, y0) + (px(x1, y0) - px(x0, y0)) * (sx - x0);
          const bot = px(x0, y1) + (px(x1, y1) - px(x0, y1)) * (sx - x0);
          out[c]![y]!.push(top + (bot - top) * (sy - y0));
        }
      }
    }
    return out;
  }

  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / 2 ** 24;
  const cases: [number, number, number, number, InputSpec['resize']][] = [
    [37, 23, 16, 16, 'stretch'],
    [37, 23, 16, 16, 'letterbox-top-left'],
    [37, 23, 16, 16, 'letterbox-center'],
    [9, 30, 20, 12, 'letterbox-center'],
    [5, 7, 33, 21, 'stretch'],
    [64, 36, 13, 13, 'letterbox-center'],
  ];

  it.each(cases)('%ix%i -> %ix%i %s matches within 0.1 of a 0-255 step', (sw, sh, iw, ih, resize) => {
    const f = frameOf(sw, sh, () => [Math.floor(rand() * 256), Math.floor(rand() * 256), Math.floor(rand() * 256)]);
    const s = spec({ width: iw, height: ih, resize, padValue: 114 });
    const { tensor, transform } = preprocessRgb(f, s);
    const cw = Math.min(iw, Math.max(1, Math.round(sw * transform.scaleX)));
    const ch = Math.min(ih, Math.max(1, Math.round(sh * transform.scaleY)));
    const ref = reference(f, s, transform, cw, ch);
    let worst = 0;
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < ih; y++) {
        for (let x = 0; x < iw; x++) worst = Math.max(worst, Math.abs(at(tensor, s, c, x, y) - ref[c]![y]![x]!));
      }
    }
    expect(worst).toBeLessThan(0.1);
  });
});

describe('frame validation', () => {
  it.each<[string, RgbFrame]>([
    ['too few bytes', { width: 2, height: 2, data: new Uint8Array(11) }],
    ['too many bytes', { width: 2, height: 2, data: new Uint8Array(13) }],
    ['RGBA-sized data', { width: 2, height: 2, data: new Uint8Array(16) }],
    ['zero width', { width: 0, height: 2, data: new Uint8Array(0) }],
    ['negative height', { width: 2, height: -2, data: new Uint8Array(12) }],
    ['fractional width', { width: 1.5, height: 2, data: new Uint8Array(9) }],
    ['data not a Uint8Array', { width: 2, height: 2, data: new Array(12).fill(0) as unknown as Uint8Array }],
  ])('rejects %s with ImageInputError', (_why, frame) => {
    expect(() => preprocessRgb(frame, spec())).toThrow(ImageInputError);
  });

  it('accepts a Node Buffer', () => {
    expect(() => preprocessRgb({ width: 2, height: 2, data: Buffer.alloc(12) }, spec())).not.toThrow();
  });
});
