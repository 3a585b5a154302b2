import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageInputError } from '../errors.ts';
import type { InputSpec } from '../model-card.ts';
import { describeDecodeError, loadImageFile, preprocessImageFile } from './image-file.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'preprocess-image-file-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** 5x3 RGB pixels, all different. */
const W = 5;
const H = 3;
const pixels = Uint8Array.from({ length: W * H * 3 }, (_, i) => (i * 37 + 11) % 256);

async function writeImage(name: string, image: ReturnType<typeof sharp>): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, await image.toBuffer());
  return path;
}

/** A noisy JPEG big enough that cutting it ends mid-scan. */
async function noisyJpeg(): Promise<Buffer> {
  const raw = Buffer.alloc(96 * 64 * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 2654435761) >>> 24;
  return sharp(raw, { raw: { width: 96, height: 64, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
}

async function expectImageError(path: string, reason: RegExp): Promise<void> {
  const err = await loadImageFile(path).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ImageInputError);
  expect((err as ImageInputError).code).toBe('IMAGE_INVALID');
  expect((err as Error).message).toContain(path);
  expect((err as Error).message).toMatch(reason);
}

describe('loadImageFile', () => {
  it('round-trips the pixels of a PNG exactly', async () => {
    const path = await writeImage('exact.png', sharp(pixels, { raw: { width: W, height: H, channels: 3 } }).png());
    const frame = await loadImageFile(path);
    expect([frame.width, frame.height]).toEqual([W, H]);
    expect([...frame.data]).toEqual([...pixels]);
  });

  it('drops the alpha channel of an RGBA PNG', async () => {
    const rgba = Uint8Array.from({ length: W * H * 4 }, (_, i) => (i % 4 === 3 ? 128 : pixels[Math.floor(i / 4) * 3 + (i % 4)]!));
    const path = await writeImage('alpha.png', sharp(rgba, { raw: { width: W, height: H, channels: 4 } }).png());
    const frame = await loadImageFile(path);
    expect([...frame.data]).toEqual([...pixels]);
  });

  it('expands a one-channel greyscale PNG to equal R, G, B', async () => {
    const grey = Uint8Array.from({ length: W * H }, (_, i) => i * 15);
    const path = await writeImage('grey.png', sharp(grey, { raw: { width: W, height: H, channels: 1 } }).toColourspace('b-w').png());
    expect((await sharp(path).metadata()).channels).toBe(1);
    const frame = await loadImageFile(path);
    expect(frame.data.length).toBe(W * H * 3);
    for (let i = 0; i < W * H; i++) expect([...frame.data.subarray(i * 3, i * 3 + 3)]).toEqual([grey[i], grey[i], grey[i]]);
  });

  it('converts a CMYK JPEG to sRGB', async () => {
    const solid = sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 200, g: 100, b: 50 } } });
    const path = await writeImage('cmyk.jpg', solid.toColourspace('cmyk').jpeg({ quality: 95 }));
    expect((await sharp(path).metadata()).space).toBe('cmyk');
    const frame = await loadImageFile(path);
    expect(frame.data.length).toBe(8 * 8 * 3);
    const [r, g, b] = frame.data;
    expect(Math.abs(r! - 200) + Math.abs(g! - 100) + Math.abs(b! - 50)).toBeLessThan(45);
  });

  it('applies EXIF orientation (6 = rotate 90 degrees clockwise)', async () => {
    // 16x8 stored: left half red, right half blue. Displayed 8x16 with the left half on top.
    const raw = Uint8Array.from({ length: 16 * 8 * 3 }, (_, i) => {
      const x = Math.floor(i / 3) % 16;
      const c = i % 3;
      return x < 8 ? (c === 0 ? 255 : 0) : c === 2 ? 255 : 0;
    });
    const img = sharp(raw, { raw: { width: 16, height: 8, channels: 3 } }).jpeg({ quality: 95 }).withMetadata({ orientation: 6 });
    const path = await writeImage('rotated.jpg', img);
    const frame = await loadImageFile(path);
    expect([frame.width, frame.height]).toEqual([8, 16]);
    const px = (x: number, y: number) => [...frame.data.subarray((y * 8 + x) * 3, (y * 8 + x) * 3 + 3)];
    expect(px(4, 2)[0]).toBeGreaterThan(200);
    expect(px(4, 2)[2]).toBeLessThan(50);
    expect(px(4, 13)[2]).toBeGreaterThan(200);
    expect(px(4, 13)[0]).toBeLessThan(50);
  });

  it('names a missing file', async () => {
    await expectImageError(join(dir, 'no-such-file.jpg'), /does not exist/);
  });

  it('names a text file renamed .jpg as not an image', async () => {
    const path = join(dir, 'notes.jpg');
    await writeFile(path, 'camera 7: lens cleaned on Tuesday\n');
    await expectImageError(path, /not an image/);
  });

  it('names an empty file', async () => {
    const path = join(dir, 'empty.png');
    await writeFile(path, Buffer.alloc(0));
    await expectImageError(path, /empty/);
  });

  it.each([0.1, 0.6, 0.97])('names a JPEG truncated to %s of its length as truncated or corrupt', async (fraction) => {
    const jpeg = await noisyJpeg();
    const path = join(dir, `truncated-${fraction}.jpg`);
    await writeFile(path, jpeg.subarray(0, Math.floor(jpeg.length * fraction)));
    await expectImageError(path, /truncated or corrupt/);
  });

  it('names a directory as unreadable', async () => {
    await expectImageError(dir, /cannot be read/);
  });
});

describe('preprocessImageFile', () => {
  it('loads then builds the tensor the card asks for', async () => {
    const path = await writeImage('pre.png', sharp(pixels, { raw: { width: W, height: H, channels: 3 } }).png());
    const spec: InputSpec = {
      name: 'x',
      width: 10,
      height: 10,
      layout: 'NCHW',
      colorOrder: 'BGR',
      scale: 1,
      mean: [0, 0, 0],
      std: [1, 1, 1],
      resize: 'letterbox-top-left',
      padValue: 114,
    };
    const { tensor, transform, frame } = await preprocessImageFile(path, spec);
    expect([frame.width, frame.height]).toEqual([W, H]);
    expect(tensor.length).toBe(300);
    expect(transform).toMatchObject({ srcWidth: 5, srcHeight: 3, scaleX: 2, scaleY: 2, padX: 0, padY: 0 });
    // top-left input pixel, blue plane first: source pixel (0, 0) blue, clamped at the corner
    expect(tensor[0]).toBe(pixels[2]);
    expect(tensor[99]).toBe(114);
  });

  it('propagates the ImageInputError of a bad file', async () => {
    const spec: InputSpec = { name: 'x', width: 8, height: 8, layout: 'NCHW', colorOrder: 'RGB', scale: 1, mean: [0, 0, 0], std: [1, 1, 1], resize: 'stretch', padValue: 0 };
    await expect(preprocessImageFile(join(dir, 'gone.png'), spec)).rejects.toThrow(ImageInputError);
  });
});

describe('describeDecodeError', () => {
  it.each([
    ['VipsJpeg: premature end of JPEG image\nWarning treated as error due to failOn setting\n'],
    ['Warning treated as error due to failOn setting\nVipsJpeg: premature end of JPEG image\nVipsJpeg: premature end of JPEG image'],
  ])('names the decoder\'s reason whichever order libvips gives the lines in (%#)', (message) => {
    const e = describeDecodeError('/x/a.jpg', new Error(message));
    expect(e).toBeInstanceOf(ImageInputError);
    expect(e.message).toBe('image file /x/a.jpg is truncated or corrupt: VipsJpeg: premature end of JPEG image');
  });

  it('keeps the generic line when it is all libvips said', () => {
    expect(describeDecodeError('/x/a.jpg', new Error('Warning treated as error due to failOn setting')).message).toBe('image file /x/a.jpg is truncated or corrupt: Warning treated as error due to failOn setting');
  });
});
