import type { Random } from '../../pipeline/patrol/simulation/random.ts';
import type { RgbFrame } from '../preprocess/frame.ts';

/**
 * Colour jitter for augmented training copies: a hue rotation, a saturation and a brightness
 * factor, drawn with the seed. The fire-smoke-train fire boxes are mostly washed-out CCTV flames
 * (mean HSV saturation 0.25, bluer than green in 230 of 331 boxes) where photos show saturated
 * orange (0.58 on fire-smoke-test); a head that has only seen the former calls the latter smoke.
 */

/** One draw of the jitter. */
export interface ColourJitter {
  /** Hue rotation, degrees. */
  readonly hueDegrees: number;
  /** Saturation factor: 0 grey, 1 unchanged. */
  readonly saturation: number;
  /** Brightness factor, 1 unchanged. */
  readonly brightness: number;
}

/** Bounds of the draw: hue within +-`hueDegrees`, saturation and brightness factors log-uniform in [1/x, x]. */
export const JITTER_RANGE = { hueDegrees: 30, saturation: 2, brightness: 1.3 } as const;

/** A jitter drawn uniformly within JITTER_RANGE (factors log-uniform). */
export function drawColourJitter(random: Random): ColourJitter {
  const logUniform = (max: number): number => Math.exp((2 * random() - 1) * Math.log(max));
  return { hueDegrees: (2 * random() - 1) * JITTER_RANGE.hueDegrees, saturation: logUniform(JITTER_RANGE.saturation), brightness: logUniform(JITTER_RANGE.brightness) };
}

/**
 * The 3x3 RGB matrix of a jitter: hue rotated about the grey axis (so grey stays grey), then
 * pushed from or towards its luma (BT.601 weights) by `saturation`, then scaled by `brightness`.
 */
export function jitterMatrix(j: ColourJitter): number[] {
  const a = (j.hueDegrees * Math.PI) / 180;
  const c = Math.cos(a);
  const s = Math.sin(a);
  const k = (1 - c) / 3;
  const r = Math.sqrt(1 / 3) * s;
  const hue = [c + k, k - r, k + r, k + r, c + k, k - r, k - r, k + r, c + k];
  const luma = [0.299, 0.587, 0.114];
  const out: number[] = [];
  for (let row = 0; row < 3; row++) {
    for (let col = 0; col < 3; col++) {
      let v = 0;
      // saturation: out = luma + s * (in - luma), applied after the hue rotation.
      for (let m = 0; m < 3; m++) v += ((m === row ? j.saturation : 0) + (1 - j.saturation) * luma[m]!) * hue[m * 3 + col]!;
      out.push(v * j.brightness);
    }
  }
  return out;
}

/** The frame with the jitter applied to every pixel, clamped to 0-255. */
export function jitterFrame(frame: RgbFrame, j: ColourJitter): RgbFrame {
  const m = jitterMatrix(j);
  const { data } = frame;
  // Clamped: a plain Uint8Array would wrap 256 to 0.
  const out = new Uint8ClampedArray(data.length);
  for (let i = 0; i < data.length; i += 3) {
    const r = data[i]!;
    const g = data[i + 1]!;
    const b = data[i + 2]!;
    out[i] = m[0]! * r + m[1]! * g + m[2]! * b;
    out[i + 1] = m[3]! * r + m[4]! * g + m[5]! * b;
    out[i + 2] = m[6]! * r + m[7]! * g + m[8]! * b;
  }
  return { width: frame.width, height: frame.height, data: new Uint8Array(out.buffer) };
}
