import { ImageInputError } from '../errors.ts';

/**
 * A raw decoded frame: packed RGB24, row-major, no row padding.
 * Pixel (x, y) channel c (0 = R, 1 = G, 2 = B) is `data[(y * width + x) * 3 + c]`.
 */
export interface RgbFrame {
  /** Width in pixels, a positive integer. */
  readonly width: number;
  /** Height in pixels, a positive integer. */
  readonly height: number;
  /** `width * height * 3` bytes (a Node Buffer is fine). */
  readonly data: Uint8Array;
}

/**
 * Throws ImageInputError unless `frame` has positive integer sizes and exactly
 * `width * height * 3` bytes of data. `what` names the frame's origin in the message.
 */
export function assertRgbFrame(frame: RgbFrame, what = 'frame'): void {
  const { width, height, data } = frame;
  if (!Number.isInteger(width) || width <= 0 || !Number.isInteger(height) || height <= 0) {
    throw new ImageInputError(`${what}: width and height must be positive integers, got ${String(width)}x${String(height)}`);
  }
  if (!(data instanceof Uint8Array)) {
    throw new ImageInputError(`${what}: data must be a Uint8Array of packed RGB24 bytes`);
  }
  const expected = width * height * 3;
  if (data.length !== expected) {
    throw new ImageInputError(
      `${what}: ${width}x${height} RGB24 needs ${expected} bytes (width*height*3), got ${data.length}`,
    );
  }
}
