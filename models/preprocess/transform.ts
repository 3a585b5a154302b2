import { ImageInputError } from '../errors.ts';
import type { InputSpec } from '../model-card.ts';

/**
 * How source pixels map to network-input pixels, per axis:
 * `xin = xsrc * scaleX + padX`, `yin = ysrc * scaleY + padY` (continuous pixel-edge coordinates,
 * so source pixel column 0 covers [0, 1)).
 */
export interface InputTransform {
  /** Source image width in pixels. */
  readonly srcWidth: number;
  /** Source image height in pixels. */
  readonly srcHeight: number;
  /** Input pixels per source pixel, horizontally. */
  readonly scaleX: number;
  /** Input pixels per source pixel, vertically. */
  readonly scaleY: number;
  /** Input pixels of padding left of the image content (0 unless letterbox-center). */
  readonly padX: number;
  /** Input pixels of padding above the image content (0 unless letterbox-center). */
  readonly padY: number;
}

/** The part of the input spec that decides the geometry. */
export type InputGeometry = Pick<InputSpec, 'width' | 'height' | 'resize'>;

/** The rectangle of the network input covered by image content; the rest is padding. */
export interface ContentRect {
  /** Left edge in input pixels (= padX). */
  readonly x: number;
  /** Top edge in input pixels (= padY). */
  readonly y: number;
  /** Width in whole input pixels. */
  readonly width: number;
  /** Height in whole input pixels. */
  readonly height: number;
}

/**
 * Works out the source -> input mapping for a source of srcW x srcH pixels.
 *
 * - `stretch`: scaleX = inW / srcW and scaleY = inH / srcH independently; no padding.
 * - `letterbox-top-left`: one scale s = min(inW / srcW, inH / srcH) on both axes; the content
 *   starts at (0, 0) and padding is only on the right and/or bottom.
 * - `letterbox-center`: same scale; the spare width/height is split between both sides, with
 *   the left/top pad = floor(spare / 2), so an odd spare pixel goes to the right/bottom.
 *
 * The content size is round(src * s), clamped to [1, input size] (see {@link contentRect}).
 * Throws ImageInputError when srcW or srcH is not a positive integer.
 */
export function computeTransform(srcW: number, srcH: number, spec: InputGeometry): InputTransform {
  if (!Number.isInteger(srcW) || srcW <= 0 || !Number.isInteger(srcH) || srcH <= 0) {
    throw new ImageInputError(`source size must be positive integers, got ${String(srcW)}x${String(srcH)}`);
  }
  const inW = spec.width;
  const inH = spec.height;
  if (spec.resize === 'stretch') {
    return { srcWidth: srcW, srcHeight: srcH, scaleX: inW / srcW, scaleY: inH / srcH, padX: 0, padY: 0 };
  }
  const s = Math.min(inW / srcW, inH / srcH);
  let padX = 0;
  let padY = 0;
  if (spec.resize === 'letterbox-center') {
    padX = Math.floor((inW - contentLength(srcW, s, inW)) / 2);
    padY = Math.floor((inH - contentLength(srcH, s, inH)) / 2);
  }
  return { srcWidth: srcW, srcHeight: srcH, scaleX: s, scaleY: s, padX, padY };
}

/** The input-pixel rectangle holding image content for transform `t` into an inW x inH input. */
export function contentRect(t: InputTransform, inW: number, inH: number): ContentRect {
  return {
    x: t.padX,
    y: t.padY,
    width: Math.min(contentLength(t.srcWidth, t.scaleX, inW), inW - t.padX),
    height: Math.min(contentLength(t.srcHeight, t.scaleY, inH), inH - t.padY),
  };
}

function contentLength(src: number, scale: number, max: number): number {
  return Math.min(max, Math.max(1, Math.round(src * scale)));
}

/**
 * Maps flat boxes [x1, y1, x2, y2, ...] from network-input pixels back to source pixels,
 * clipped to [0, srcWidth] x [0, srcHeight]. Writes into `out` when given (it may be `boxes`
 * itself, for in-place use; it must be at least as long), otherwise into a new array.
 * Throws RangeError when `boxes.length` is not a multiple of 4 or `out` is too short.
 */
export function boxesToSource<T extends number[] | Float32Array | Float64Array = number[]>(
  boxes: ArrayLike<number>,
  t: InputTransform,
  out?: T,
): T {
  const n = boxes.length;
  if (n % 4 !== 0) throw new RangeError(`boxes length ${n} is not a multiple of 4`);
  const dst = (out ?? new Array<number>(n)) as T;
  if (dst.length < n) throw new RangeError(`output length ${dst.length} is shorter than boxes length ${n}`);
  const ix = 1 / t.scaleX;
  const iy = 1 / t.scaleY;
  const w = t.srcWidth;
  const h = t.srcHeight;
  for (let i = 0; i < n; i += 4) {
    dst[i] = clip((boxes[i]! - t.padX) * ix, w);
    dst[i + 1] = clip((boxes[i + 1]! - t.padY) * iy, h);
    dst[i + 2] = clip((boxes[i + 2]! - t.padX) * ix, w);
    dst[i + 3] = clip((boxes[i + 3]! - t.padY) * iy, h);
  }
  return dst;
}

function clip(v: number, max: number): number {
  return v < 0 ? 0 : v > max ? max : v;
}
