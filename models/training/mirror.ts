import type { RgbFrame } from '../preprocess/frame.ts';

/**
 * Horizontal-flip augmentation for cached-feature training: a mirrored copy of a training image
 * goes through the frozen network as an image of its own (a convolution's features of a mirrored
 * image are not the mirrored features, so the flip cannot be done on the cache), with its boxes
 * mirrored too. Street scenes have no left-right meaning for garbage, bins or smoke.
 */

/** The frame mirrored left to right (packed RGB). */
export function mirrorFrame(frame: RgbFrame): RgbFrame {
  const { width, height, data } = frame;
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = y * width * 3;
    for (let x = 0; x < width; x++) {
      const from = row + x * 3;
      const to = row + (width - 1 - x) * 3;
      out[to] = data[from]!;
      out[to + 1] = data[from + 1]!;
      out[to + 2] = data[from + 2]!;
    }
  }
  return { width, height, data: out };
}

/** A COCO box [x, y, w, h] (pixels) of an image `width` wide, mirrored left to right. */
export function mirrorBox(bbox: readonly number[], width: number): [number, number, number, number] {
  const [x = 0, y = 0, w = 0, h = 0] = bbox;
  return [width - x - w, y, w, h];
}
