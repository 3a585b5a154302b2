import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { InputSpec } from '../model-card.ts';
import { resampleBilinearJs } from './bilinear-js.ts';
import { BilinearKernel, resampleBilinearWasm } from './bilinear-wasm.ts';
import type { RgbFrame } from './frame.ts';
import { loadImageFile } from './image-file.ts';
import { preprocessRgb } from './tensor.ts';

const images = join(import.meta.dirname, '..', '..', 'test-fixtures', 'coco', 'images');

const spec = (over: Partial<InputSpec>): InputSpec => ({
  name: 'x',
  width: 352,
  height: 352,
  layout: 'NCHW',
  colorOrder: 'BGR',
  scale: 1 / 255,
  mean: [0, 0, 0],
  std: [1, 1, 1],
  resize: 'stretch',
  padValue: 114,
  ...over,
});

// The shipped models' inputs, and the other layouts, orders and resize modes a card may ask for.
const specs: readonly InputSpec[] = [
  spec({}),
  spec({ width: 416, height: 416, colorOrder: 'RGB', mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375], scale: 1, resize: 'letterbox-center' }),
  spec({ width: 320, height: 256, layout: 'NHWC', resize: 'letterbox-top-left' }),
  spec({ width: 640, height: 640, resize: 'letterbox-center', padValue: 0 }),
  // An odd content width leaves a tail pixel after the pairs.
  spec({ width: 351, height: 199, colorOrder: 'RGB', mean: [10, 20, 30], std: [2, 3, 4], scale: 1 }),
];

/** Both kernels' tensors for one frame; differences are counted with Object.is (so -0 and NaN count). */
function differences(frame: RgbFrame, s: InputSpec): { values: number; differing: number } {
  const js = preprocessRgb(frame, s, undefined, resampleBilinearJs).tensor;
  const wasm = preprocessRgb(frame, s, undefined, resampleBilinearWasm).tensor;
  let differing = 0;
  for (let i = 0; i < js.length; i++) if (!Object.is(js[i], wasm[i])) differing++;
  return { values: js.length, differing };
}

async function resized(path: string, width: number, height: number): Promise<RgbFrame> {
  const { data, info } = await sharp(path).resize(width, height, { fit: 'fill' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

describe('WebAssembly bilinear kernel', () => {
  const files = readdirSync(images).filter((f) => f.endsWith('.jpg'));

  it.each(files)('gives the JavaScript reference bits on %s at its own size, every input spec', async (file) => {
    const frame = await loadImageFile(join(images, file));
    for (const s of specs) expect(differences(frame, s), `${s.width}x${s.height} ${s.resize} ${s.layout}`).toEqual({ values: 3 * s.width * s.height, differing: 0 });
  });

  it.each([
    [1920, 1080],
    [1280, 720],
    [37, 23],
    [1, 1],
    [1, 300],
    [300, 1],
  ])('gives the same bits on a real photo scaled to %ix%i (down, up and 1-pixel sides)', async (w, h) => {
    const frame = await resized(join(images, files[0]!), w, h);
    for (const s of specs) expect(differences(frame, s), `${s.width}x${s.height} ${s.resize} ${s.layout}`).toEqual({ values: 3 * s.width * s.height, differing: 0 });
  });

  it('keeps giving the same bits across frame sizes (640x360, 4K, 640x360 again)', async () => {
    const big = await resized(join(images, files[1]!), 3840, 2160);
    const small = await resized(join(images, files[2]!), 640, 360);
    for (const frame of [small, big, small]) expect(differences(frame, specs[0]!).differing).toBe(0);
  });

  it('fills every tensor value, padding included, when reusing a dirty output buffer', async () => {
    const frame = await resized(join(images, files[3]!), 1280, 720);
    const s = specs[1]!;
    const dirty = new Float32Array(3 * s.width * s.height).fill(Number.NaN);
    const got = preprocessRgb(frame, s, dirty).tensor;
    expect(got).toBe(dirty);
    expect(Array.from(got).some(Number.isNaN)).toBe(false);
    const want = preprocessRgb(frame, s, undefined, resampleBilinearJs).tensor;
    expect(got.every((v, i) => Object.is(v, want[i]))).toBe(true);
  });

  it("writes a kernel's own tensor in place, and hands back a fresh view when a bigger frame grows its memory", async () => {
    const s = specs[0]!;
    const kernel = new BilinearKernel();
    const own = kernel.tensor(3 * s.width * s.height);
    const small = await resized(join(images, files[4]!), 640, 360);
    const want = (frame: RgbFrame) => preprocessRgb(frame, s, undefined, resampleBilinearJs).tensor;
    const same = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
    // The first frame also needs room for tables and a chunk: the memory may grow once.
    const first = preprocessRgb(small, s, own, kernel.resample).tensor;
    expect(same(first, want(small))).toBe(true);
    expect(preprocessRgb(small, s, first, kernel.resample).tensor === first).toBe(true);
    expect(first.buffer === own.buffer || own.length === 0).toBe(true);
    // Memory holds the tensor, tables and one chunk of source rows (at least two rows): a frame
    // 60000 pixels wide needs a bigger chunk than 1080p.
    const wide = await resized(join(images, files[5]!), 6000, 3);
    const big: RgbFrame = { width: 60000, height: 3, data: new Uint8Array(60000 * 3 * 3) };
    for (let y = 0; y < 3; y++) for (let r = 0; r < 10; r++) big.data.set(wide.data.subarray(y * 18000, (y + 1) * 18000), y * 180000 + r * 18000);
    const second = preprocessRgb(big, s, first, kernel.resample).tensor;
    expect(second === first).toBe(false);
    expect(first.length).toBe(0); // detached by the growth
    expect(same(second, want(big))).toBe(true);
    expect(preprocessRgb(small, s, second, kernel.resample).tensor === second).toBe(true);
    expect(same(second, want(small))).toBe(true);
  });
});
