import { describe, expect, it } from 'vitest';
import { ImageInputError } from '../errors.ts';
import { assertRgbFrame } from './frame.ts';

describe('assertRgbFrame', () => {
  it('accepts width * height * 3 bytes', () => {
    expect(() => assertRgbFrame({ width: 3, height: 2, data: new Uint8Array(18) })).not.toThrow();
  });

  it('says what was expected and names the frame', () => {
    expect(() => assertRgbFrame({ width: 3, height: 2, data: new Uint8Array(24) }, 'camera 4 frame')).toThrow(
      /camera 4 frame: 3x2 RGB24 needs 18 bytes \(width\*height\*3\), got 24/,
    );
  });

  it.each([
    [0, 2],
    [2, 0],
    [-1, 2],
    [2.5, 2],
    [Number.NaN, 2],
    [Number.POSITIVE_INFINITY, 2],
  ])('rejects size %s x %s', (width, height) => {
    expect(() => assertRgbFrame({ width, height, data: new Uint8Array(0) })).toThrow(ImageInputError);
  });
});
