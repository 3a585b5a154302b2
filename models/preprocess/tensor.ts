import type { InputSpec } from '../model-card.ts';
import { type BilinearTables, type ChannelAffine, type resampleBilinearJs, WEIGHT_ONE } from './bilinear-js.ts';
import { type BilinearKernel, resampleBilinearWasm } from './bilinear-wasm.ts';
import { assertRgbFrame, type RgbFrame } from './frame.ts';
import { computeTransform, contentRect, type InputTransform } from './transform.ts';

/**
 * A bilinear kernel: writes the content rectangle of the tensor and returns the array it wrote
 * (`out`, or a kernel's fresh view of it: see {@link BilinearKernel.tensor}).
 */
export type Resampler = typeof resampleBilinearJs;

/** A network-input tensor and how it maps back to the source image. */
export interface PreprocessResult {
  /** 3 * height * width float32 values in the card's layout and colour order. */
  readonly tensor: Float32Array;
  /** Source -> input mapping; feed it to `boxesToSource` to bring boxes back. */
  readonly transform: InputTransform;
}

/**
 * Per-geometry lookup tables, built once per (source size, input size, resize mode).
 *
 * Resampling is bilinear with half-pixel centres (source x = (xin - pad + 0.5) / scale - 0.5,
 * clamped at the edges), which is what cv2.resize(INTER_LINEAR) does. The reference pipelines of
 * the shipped models resize with cv2 (resize / warpAffine; PaddleDetection's Resize op wraps
 * cv2.resize too), interpolating from a few neighbours without antialiasing when shrinking, so
 * bilinear gives the networks the kind of pixels their authors fed them and evaluated on.
 * Area averaging (cv2 INTER_AREA) was measured too, on a 1920x1080 mosaic of COCO photos:
 * it is closer to an antialiased resize (mean abs difference to sharp's lanczos3 2.4 vs 6.7 for
 * bilinear, in 0-255 units), but it must read every source pixel (~36 multiply-adds per output
 * pixel at 1080p -> 416 against bilinear's 12 reads): a tuned separable prototype took 23 ms
 * (best) / 36 ms (median) where this bilinear path took 3.4 / 5.1 ms in the same run, far over
 * the 5 ms per-frame budget. So bilinear it is; a 1080p frame shrunk 4.6x aliases fine detail,
 * just as it does in the reference Python pipelines.
 */
interface Tables extends BilinearTables {
  readonly transform: InputTransform;
  /** Source equals input size and no scaling or padding: convert pixels 1:1. */
  readonly identity: boolean;
}

const CACHE_LIMIT = 16;
const tableCache = new Map<string, Tables>();

function getTables(srcW: number, srcH: number, spec: InputSpec): Tables {
  const key = `${srcW}x${srcH}>${spec.width}x${spec.height}:${spec.resize}`;
  const hit = tableCache.get(key);
  if (hit) return hit;
  const tables = buildTables(srcW, srcH, spec);
  // Oldest-first eviction keeps the cache bounded when many camera resolutions pass through.
  if (tableCache.size >= CACHE_LIMIT) tableCache.delete(tableCache.keys().next().value!);
  tableCache.set(key, tables);
  return tables;
}

function buildTables(srcW: number, srcH: number, spec: InputSpec): Tables {
  const transform = Object.freeze(computeTransform(srcW, srcH, spec));
  const rect = contentRect(transform, spec.width, spec.height);
  // Inverse scales from the sizes themselves, not 1 / scale, so that exact ratios such as
  // 4 -> 2 give exact sample positions (1 / (2 / 4) and 4 / 2 can differ in the last bit).
  const limitedByWidth = spec.width / srcW <= spec.height / srcH;
  const invX = spec.resize === 'stretch' || limitedByWidth ? srcW / spec.width : srcH / spec.height;
  const invY = spec.resize === 'stretch' || !limitedByWidth ? srcH / spec.height : srcW / spec.width;
  const cols = axisTable(rect.width, srcW, invX, 3);
  const rows = axisTable(rect.height, srcH, invY, srcW * 3);
  return {
    transform,
    cx: rect.x,
    cy: rect.y,
    cw: rect.width,
    ch: rect.height,
    rowBytes: srcW * 3,
    identity: srcW === spec.width && srcH === spec.height && rect.width === srcW && rect.height === srcH,
    col0: cols.i0,
    col1: cols.i1,
    colW: cols.w,
    row0: rows.i0,
    row1: rows.i1,
    rowW: rows.w,
  };
}

function axisTable(len: number, srcLen: number, inv: number, stride: number) {
  const i0 = new Int32Array(len);
  const i1 = new Int32Array(len);
  const w = new Int32Array(len);
  const last = srcLen - 1;
  for (let i = 0; i < len; i++) {
    const s = (i + 0.5) * inv - 0.5;
    let a: number;
    let b: number;
    let f: number;
    if (s <= 0) {
      a = b = 0;
      f = 0;
    } else if (s >= last) {
      a = b = last;
      f = 0;
    } else {
      a = Math.floor(s);
      b = a + 1;
      f = s - a;
    }
    i0[i] = a * stride;
    i1[i] = b * stride;
    w[i] = Math.round(f * WEIGHT_ONE);
  }
  return { i0, i1, w };
}

function affineFor(spec: InputSpec): ChannelAffine {
  const plane = spec.width * spec.height;
  const nchw = spec.layout === 'NCHW';
  // Position of R, G, B in the card's colour order; mean/std are given in that order too.
  const [pr, pg, pb] = spec.colorOrder === 'RGB' ? [0, 1, 2] : [2, 1, 0];
  const k = (p: number) => spec.scale / spec.std[p]!;
  const b = (p: number) => -spec.mean[p]! / spec.std[p]!;
  return {
    kR: k(pr),
    kG: k(pg),
    kB: k(pb),
    bR: b(pr),
    bG: b(pg),
    bB: b(pb),
    oR: nchw ? pr * plane : pr,
    oG: nchw ? pg * plane : pg,
    oB: nchw ? pb * plane : pb,
    step: nchw ? 1 : 3,
  };
}

/**
 * Turns a packed RGB24 frame into the float32 input tensor the card asks for:
 * resize per `spec.resize` (bilinear, see {@link Tables}), channels in `spec.colorOrder`,
 * `spec.layout` (NCHW planar or NHWC), each value (pixel * scale - mean[c]) / std[c], and
 * letterbox padding filled with `padValue` put through the same normalisation.
 *
 * Lookup tables are cached per (frame size, input size, resize mode), so a stream of
 * same-sized frames builds them once. When the frame already has the input size, pixels are
 * converted 1:1 without resampling.
 *
 * @param out Reused as the tensor when given; must hold exactly 3 * spec.width * spec.height
 *   values (RangeError otherwise). Every element is overwritten.
 * @param resample The bilinear kernel. Default: the WebAssembly one; {@link resampleBilinearJs} gives
 *   the same bits slower (it is the reference the kernel is tested against).
 * @throws ImageInputError when the frame's sizes or data length are invalid.
 */
export function preprocessRgb(frame: RgbFrame, spec: InputSpec, out?: Float32Array, resample: Resampler = resampleBilinearWasm): PreprocessResult {
  assertRgbFrame(frame);
  const size = 3 * spec.width * spec.height;
  if (out && out.length !== size) {
    throw new RangeError(`output buffer has ${out.length} values, ${spec.width}x${spec.height}x3 needs ${size}`);
  }
  const tensor = out ?? new Float32Array(size);
  const t = getTables(frame.width, frame.height, spec);
  const a = affineFor(spec);
  if (t.identity) {
    convertIdentity(frame.data, tensor, frame.width * frame.height, a);
  } else {
    const written = resample(frame.data, tensor, spec.width, t, a);
    fillPadding(written, spec, t, a);
    return { tensor: written, transform: t.transform };
  }
  return { tensor, transform: t.transform };
}

function convertIdentity(src: Uint8Array, out: Float32Array, pixels: number, a: ChannelAffine): void {
  const { kR, kG, kB, bR, bG, bB, oR, oG, oB, step } = a;
  for (let p = 0, s = 0, o = 0; p < pixels; p++, s += 3, o += step) {
    out[o + oR] = src[s]! * kR + bR;
    out[o + oG] = src[s + 1]! * kG + bG;
    out[o + oB] = src[s + 2]! * kB + bB;
  }
}

/** Writes the normalised pad value into every input pixel outside the content rectangle. */
function fillPadding(out: Float32Array, spec: InputSpec, t: Tables, a: ChannelAffine): void {
  const W = spec.width;
  const H = spec.height;
  if (t.cx === 0 && t.cy === 0 && t.cw === W && t.ch === H) return;
  const v = spec.padValue;
  const pr = v * a.kR + a.bR;
  const pg = v * a.kG + a.bG;
  const pb = v * a.kB + a.bB;
  const span = (from: number, count: number) => fillPixels(out, from, count, a, pr, pg, pb);
  span(0, t.cy * W);
  for (let y = t.cy; y < t.cy + t.ch; y++) {
    span(y * W, t.cx);
    span(y * W + t.cx + t.cw, W - t.cx - t.cw);
  }
  span((t.cy + t.ch) * W, (H - t.cy - t.ch) * W);
}

function fillPixels(out: Float32Array, from: number, count: number, a: ChannelAffine, r: number, g: number, b: number): void {
  if (count <= 0) return;
  if (a.step === 1) {
    out.fill(r, a.oR + from, a.oR + from + count);
    out.fill(g, a.oG + from, a.oG + from + count);
    out.fill(b, a.oB + from, a.oB + from + count);
    return;
  }
  for (let o = from * 3, end = (from + count) * 3; o < end; o += 3) {
    out[o + a.oR] = r;
    out[o + a.oG] = g;
    out[o + a.oB] = b;
  }
}
