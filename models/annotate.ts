import sharp from 'sharp';
import type { Detection } from './detections.ts';
import { blendMask, type Canvas, fillRect, type Rgb, strokePolygon, strokeRect } from './draw-raw.ts';
import { textMask } from './glyphs.ts';
import type { RgbFrame } from './preprocess/frame.ts';

/** Options for drawing detections onto a frame. */
export interface AnnotateOptions {
  /** JPEG quality 1-100. Default 85. */
  readonly quality?: number;
  /** Extra polygons to outline, in 0-1 coordinates (zones). */
  readonly polygons?: readonly { readonly label: string; readonly points: readonly (readonly [number, number])[] }[];
  /** Draw into `frame.data` itself instead of a copy (the caller owns the buffer). Default false. */
  readonly inPlace?: boolean;
  /**
   * Optimised Huffman tables (a second pass over the coefficients; sharp's default). Default false:
   * measured at 1080p q85 (scripts/bench/evidence-render.ts), the encode took ~3x as long with
   * them for a file 0.7 % smaller.
   */
  readonly optimiseCoding?: boolean;
}

const PALETTE: readonly Rgb[] = [
  [230, 25, 75], [60, 180, 75], [255, 225, 25], [0, 130, 200], [245, 130, 48],
  [145, 30, 180], [70, 240, 240], [240, 50, 230], [210, 245, 60], [250, 190, 212],
];
const BLACK: Rgb = [0, 0, 0];
const YELLOW: Rgb = [255, 255, 0];

/** Stable colour for a class id. */
export function classColour(classId: number): Rgb {
  return PALETTE[classId % PALETTE.length]!;
}

/** Draws a label tag (filled background, text) with its bottom-left corner near (x, y). */
async function drawTag(c: Canvas, text: string, x: number, y: number, font: number, bg: Rgb | undefined, fg: Rgb): Promise<void> {
  const mask = await textMask(text, font);
  const w = Math.min(c.width, mask.width + 8);
  const h = mask.height + 2;
  const left = Math.max(0, Math.min(c.width - w, Math.round(x)));
  const top = Math.max(0, Math.round(y) - h);
  if (bg) fillRect(c, left, top, left + w, top + h, bg);
  blendMask(c, mask, left + 4, top + 1, fg);
}

/**
 * Renders a frame with its detections (and optional zone outlines) as a JPEG. Everything is
 * drawn into the raw RGB buffer (boxes, dashed zone outlines, label text from cached glyphs)
 * and encoded once: no overlay compositing.
 */
export async function annotateJpeg(frame: RgbFrame, detections: readonly Detection[], options: AnnotateOptions = {}): Promise<Buffer> {
  const c: Canvas = { width: frame.width, height: frame.height, data: options.inPlace ? frame.data : Uint8Array.from(frame.data) };
  const t = Math.max(2, Math.round(Math.min(frame.width, frame.height) / 300));
  const font = Math.max(12, Math.round(Math.min(frame.width, frame.height) / 40));
  for (const poly of options.polygons ?? []) {
    const pts = poly.points.map(([x, y]) => [x * frame.width, y * frame.height] as const);
    strokePolygon(c, pts, t, YELLOW);
    const [x0, y0] = pts[0] ?? [0, 0];
    await drawTag(c, poly.label, x0 + t, y0 + font + 2 * t, font, undefined, YELLOW);
  }
  for (const d of detections) {
    const colour = classColour(d.classId);
    strokeRect(c, d.box, t, colour);
    await drawTag(c, `${d.label} ${d.score.toFixed(2)}`, d.box[0], d.box[1], font, colour, BLACK);
  }
  const data = Buffer.from(c.data.buffer, c.data.byteOffset, c.data.length);
  return sharp(data, { raw: { width: frame.width, height: frame.height, channels: 3 } })
    .jpeg({ quality: options.quality ?? 85, optimiseCoding: options.optimiseCoding ?? false })
    .toBuffer();
}
