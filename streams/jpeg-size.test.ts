import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { jpegSize } from './jpeg-size.ts';

describe('jpegSize', () => {
  it.each([
    { progressive: false, w: 37, h: 21 },
    { progressive: true, w: 640, h: 427 },
  ])('reads $w x $h (progressive: $progressive)', async ({ progressive, w, h }) => {
    const jpeg = await sharp({ create: { width: w, height: h, channels: 3, background: 'red' } }).jpeg({ progressive }).toBuffer();
    expect(jpegSize(jpeg)).toEqual({ width: w, height: h });
  });

  it('returns undefined for other data', () => {
    expect(jpegSize(Buffer.from('not a jpeg'))).toBeUndefined();
    expect(jpegSize(Buffer.from([0xff, 0xd8, 0xff]))).toBeUndefined();
    expect(jpegSize(new Uint8Array(0))).toBeUndefined();
  });
});
