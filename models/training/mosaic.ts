import sharp from 'sharp';
import type { Random } from '../../pipeline/patrol/simulation/random.ts';
import type { RgbFrame } from '../preprocess/frame.ts';
import { drawColourJitter, jitterFrame } from './colour-jitter.ts';
import { mirrorFrame } from './mirror.ts';

/**
 * Mosaic augmentation for cached-feature training: four training images shrunk into the quarters
 * of one frame (split at a random centre), so every object appears at 0.3-0.7 of its size, beside
 * other scenes. The fire / smoke training frames have frame-filling boxes (median side 0.45 fire,
 * 0.72 smoke of the image) and a head trained on them scores only the largest anchors; photos from
 * elsewhere show fire and smoke at half that size. Each image keeps its aspect ratio inside its
 * quarter (letterboxed on black, as photos padded to a square are), so no labelled object is cut
 * and no unlabelled part of one is left as background. A mosaic goes through the frozen network as
 * an image of its own, like a mirrored copy.
 */

/** Where one source image lands in a mosaic: optionally mirrored, stretched to `width` x `height` with its top-left at (x, y). */
export interface TilePlacement {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /** Mirror the source left to right before placing it. */
  readonly mirror: boolean;
}

/** A labelled box: COCO [x, y, w, h] in pixels and its class. */
export interface LabelledBox {
  readonly bbox: readonly number[];
  readonly classId: number;
}

/** A source image for a mosaic: its frame and boxes. */
export interface MosaicTile {
  readonly frame: RgbFrame;
  readonly labels: readonly LabelledBox[];
}

/** Boxes narrower or lower than this (mosaic pixels) after placement are dropped. */
const MIN_SIDE = 2;

/**
 * A box of a `sourceWidth` x `sourceHeight` image moved to where `placement` puts that image,
 * clipped to the placed tile; null when less than MIN_SIDE pixels of it are left either way.
 */
export function placeBox(bbox: readonly number[], sourceWidth: number, sourceHeight: number, placement: TilePlacement): [number, number, number, number] | null {
  const [bx = 0, by = 0, bw = 0, bh = 0] = bbox;
  const sx = placement.width / sourceWidth;
  const sy = placement.height / sourceHeight;
  const left = placement.mirror ? sourceWidth - bx - bw : bx;
  const x1 = Math.max(placement.x, placement.x + left * sx);
  const y1 = Math.max(placement.y, placement.y + by * sy);
  const x2 = Math.min(placement.x + placement.width, placement.x + (left + bw) * sx);
  const y2 = Math.min(placement.y + placement.height, placement.y + (by + bh) * sy);
  if (x2 - x1 < MIN_SIDE || y2 - y1 < MIN_SIDE) return null;
  return [x1, y1, x2 - x1, y2 - y1];
}

/**
 * Placements for four sources of the given sizes in a `width` x `height` mosaic: a centre drawn in
 * the middle 40 % each way splits it into quarters (top-left, top-right, bottom-left, bottom-right);
 * each source is scaled to fit its quarter keeping its aspect ratio, at a random spot inside it, and
 * mirrored with probability 1/2.
 */
export function mosaicLayout(width: number, height: number, sources: readonly { readonly width: number; readonly height: number }[], random: Random): TilePlacement[] {
  const cx = Math.round(width * (0.3 + 0.4 * random()));
  const cy = Math.round(height * (0.3 + 0.4 * random()));
  const quarters = [
    [0, 0, cx, cy],
    [cx, 0, width - cx, cy],
    [0, cy, cx, height - cy],
    [cx, cy, width - cx, height - cy],
  ] as const;
  return sources.slice(0, 4).map((s, i) => {
    const [qx, qy, qw, qh] = quarters[i]!;
    const scale = Math.min(qw / s.width, qh / s.height);
    const w = Math.max(1, Math.min(qw, Math.round(s.width * scale)));
    const h = Math.max(1, Math.min(qh, Math.round(s.height * scale)));
    return { x: qx + Math.floor(random() * (qw - w + 1)), y: qy + Math.floor(random() * (qh - h + 1)), width: w, height: h, mirror: random() < 0.5 };
  });
}

/**
 * Four tiles drawn into one black `width` x `height` frame as `mosaicLayout` places them, with their
 * boxes. With `colourJitter` each tile gets its own colour jitter (see colour-jitter.ts), drawn
 * from that source so that the layout is the same with and without it.
 */
export async function renderMosaic(tiles: readonly MosaicTile[], width: number, height: number, random: Random, options: { readonly colourJitter?: Random } = {}): Promise<MosaicTile> {
  const placements = mosaicLayout(width, height, tiles.map((t) => t.frame), random);
  const data = new Uint8Array(width * height * 3);
  const labels: LabelledBox[] = [];
  for (const [i, p] of placements.entries()) {
    const { frame, labels: own } = tiles[i]!;
    const mirrored = p.mirror ? mirrorFrame(frame) : frame;
    const source = options.colourJitter ? jitterFrame(mirrored, drawColourJitter(options.colourJitter)) : mirrored;
    const pixels = await sharp(Buffer.from(source.data.buffer, source.data.byteOffset, source.data.byteLength), { raw: { width: source.width, height: source.height, channels: 3 } })
      .resize(p.width, p.height, { fit: 'fill' })
      .raw()
      .toBuffer();
    for (let row = 0; row < p.height; row++) data.set(pixels.subarray(row * p.width * 3, (row + 1) * p.width * 3), ((p.y + row) * width + p.x) * 3);
    for (const l of own) {
      const bbox = placeBox(l.bbox, frame.width, frame.height, p);
      if (bbox) labels.push({ bbox, classId: l.classId });
    }
  }
  return { frame: { width, height, data }, labels };
}
