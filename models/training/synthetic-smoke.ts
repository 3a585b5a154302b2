import type { Random } from '../../pipeline/patrol/simulation/random.ts';
import type { RgbFrame } from '../preprocess/frame.ts';
import type { LabelledBox } from './mosaic.ts';

/**
 * Synthetic smoke for cached-feature training: procedural plumes (fractal value noise inside a
 * soft ellipse, light or dark grey, alpha-blended over the scene) pasted into copies of the
 * training images and labelled as the smoke class. fire-smoke-train's smoke is the haze of a few
 * CCTV scenes, filling most of the frame; smoke elsewhere is a cloud in front of an ordinary scene
 * (a room, a street, a facade) at a fraction of the frame, and a head that has only seen the haze
 * scores such clouds near zero. Pasting smoke into the training scenes' own backgrounds (positives
 * and negatives alike) teaches the cloud, not the scene. Plumes keep clear of labelled boxes so no
 * label is hidden.
 */

/** One plume: the box it is drawn in, its peak opacity and its grey level. */
export interface Plume {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /** Opacity where the cloud is densest, 0-1. */
  readonly opacity: number;
  /** Grey level of the cloud, 0-255 (light smoke ~200-245, dark smoke ~70-140). */
  readonly grey: number;
}

/** Bounds of a plume's draw: width as a fraction of the frame's, height / width, peak opacity, share of dark plumes. */
export const PLUME_RANGE = { width: [0.15, 0.55], aspect: [0.7, 1.5], opacity: [0.55, 0.95], darkShare: 0.3 } as const;

/** Placements tried per plume before giving up on a spot clear of the labelled boxes. */
const PLACEMENT_TRIES = 20;

/** Share of a labelled box (or of the plume) the plume may cover: more would hide what is labelled there. */
const MAX_OVERLAP = 0.1;

/** Cloud density below which a pixel does not count towards the plume's labelled box. */
const LABEL_DENSITY = 0.2;

/** Plume boxes narrower or lower than this (pixels) are not labelled. */
const MIN_SIDE = 8;

const uniform = (random: Random, [lo, hi]: readonly [number, number]): number => lo + (hi - lo) * random();

function overlapArea(a: readonly number[], b: readonly number[]): number {
  const w = Math.min(a[0]! + a[2]!, b[0]! + b[2]!) - Math.max(a[0]!, b[0]!);
  const h = Math.min(a[1]! + a[3]!, b[1]! + b[3]!) - Math.max(a[1]!, b[1]!);
  return w > 0 && h > 0 ? w * h : 0;
}

/**
 * A plume placed in a `width` x `height` frame where it covers at most MAX_OVERLAP of every box in
 * `avoid` and they cover at most that of it; null when PLACEMENT_TRIES draws find no such spot.
 */
export function drawPlume(width: number, height: number, avoid: readonly LabelledBox[], random: Random): Plume | null {
  for (let t = 0; t < PLACEMENT_TRIES; t++) {
    const w = Math.max(MIN_SIDE, Math.round(width * uniform(random, PLUME_RANGE.width)));
    const h = Math.max(MIN_SIDE, Math.min(height, Math.round(w * uniform(random, PLUME_RANGE.aspect))));
    const x = Math.floor(random() * (width - w + 1));
    const y = Math.floor(random() * (height - h + 1));
    const opacity = uniform(random, PLUME_RANGE.opacity);
    const grey = random() < PLUME_RANGE.darkShare ? uniform(random, [70, 140]) : uniform(random, [190, 245]);
    const box = [x, y, w, h];
    const clear = avoid.every((a) => {
      const o = overlapArea(box, a.bbox);
      return o <= MAX_OVERLAP * w * h && o <= MAX_OVERLAP * a.bbox[2]! * a.bbox[3]!;
    });
    if (clear) return { x, y, width: w, height: h, opacity, grey };
  }
  return null;
}

/**
 * Fractal value noise in [0, 1] over a `width` x `height` patch: `octaves` lattices of random
 * values (cells of width / 2, / 4, ...), each smoothly interpolated, amplitudes halving.
 */
export function valueNoise(width: number, height: number, random: Random, octaves = 4): Float32Array {
  const out = new Float32Array(width * height);
  let amplitude = 1;
  let total = 0;
  for (let o = 0; o < octaves; o++) {
    const cells = 2 << o;
    const lattice = Float32Array.from({ length: (cells + 1) * (cells + 1) }, () => random());
    for (let y = 0; y < height; y++) {
      const fy = (y / height) * cells;
      const iy = Math.min(cells - 1, Math.floor(fy));
      const ty = fy - iy;
      const sy = ty * ty * (3 - 2 * ty);
      for (let x = 0; x < width; x++) {
        const fx = (x / width) * cells;
        const ix = Math.min(cells - 1, Math.floor(fx));
        const tx = fx - ix;
        const sx = tx * tx * (3 - 2 * tx);
        const at = iy * (cells + 1) + ix;
        const top = lattice[at]! + (lattice[at + 1]! - lattice[at]!) * sx;
        const bottom = lattice[at + cells + 1]! + (lattice[at + cells + 2]! - lattice[at + cells + 1]!) * sx;
        out[y * width + x]! += amplitude * (top + (bottom - top) * sy);
      }
    }
    total += amplitude;
    amplitude /= 2;
  }
  for (let i = 0; i < out.length; i++) out[i] = out[i]! / total;
  return out;
}

/**
 * Cloud density 0-1 over the plume's box: noise pushed up in the middle of an ellipse filling the
 * box and down towards its rim, so the cloud has ragged edges; nothing outside the ellipse.
 */
export function plumeDensity(plume: Plume, random: Random): Float32Array {
  const { width, height } = plume;
  const noise = valueNoise(width, height, random, 5);
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const dy = (2 * (y + 0.5)) / height - 1;
    for (let x = 0; x < width; x++) {
      const dx = (2 * (x + 0.5)) / width - 1;
      const shape = Math.max(0, 1 - (dx * dx + dy * dy));
      const v = (0.8 * shape + 1.4 * (noise[y * width + x]! - 0.5) - 0.2) / 0.3;
      // Faded out over the ellipse's outer rim, so no cloud is cut off by the box.
      out[y * width + x] = Math.min(1, Math.max(0, v)) * Math.min(1, 4 * shape);
    }
  }
  return out;
}

/**
 * The plume drawn over a copy of `frame`, and the box of its pixels of density >= LABEL_DENSITY
 * (COCO [x, y, w, h]); the box is null when that part is under MIN_SIDE either way.
 */
export function pastePlume(frame: RgbFrame, plume: Plume, random: Random): { frame: RgbFrame; bbox: [number, number, number, number] | null } {
  const density = plumeDensity(plume, random);
  const shade = valueNoise(plume.width, plume.height, random, 5);
  const data = Uint8Array.from(frame.data);
  let x1 = Infinity;
  let y1 = Infinity;
  let x2 = -Infinity;
  let y2 = -Infinity;
  for (let y = 0; y < plume.height; y++) {
    for (let x = 0; x < plume.width; x++) {
      const d = density[y * plume.width + x]!;
      if (d <= 0) continue;
      const alpha = plume.opacity * d;
      const grey = Math.min(255, plume.grey * (0.75 + 0.5 * shade[y * plume.width + x]!));
      const at = ((plume.y + y) * frame.width + plume.x + x) * 3;
      for (let c = 0; c < 3; c++) data[at + c] = Math.round((1 - alpha) * data[at + c]! + alpha * grey);
      if (d >= LABEL_DENSITY) {
        x1 = Math.min(x1, x);
        y1 = Math.min(y1, y);
        x2 = Math.max(x2, x + 1);
        y2 = Math.max(y2, y + 1);
      }
    }
  }
  const bbox: [number, number, number, number] | null = x2 - x1 >= MIN_SIDE && y2 - y1 >= MIN_SIDE ? [plume.x + x1, plume.y + y1, x2 - x1, y2 - y1] : null;
  return { frame: { width: frame.width, height: frame.height, data }, bbox };
}

/**
 * A copy of the image with one plume (two in 3 of 10 draws) clear of its labelled boxes, labelled
 * `classId`, plus its own labels; null when no plume found room.
 */
export function addSyntheticSmoke(frame: RgbFrame, labels: readonly LabelledBox[], classId: number, random: Random): { frame: RgbFrame; labels: LabelledBox[] } | null {
  const count = random() < 0.3 ? 2 : 1;
  let current = frame;
  const out: LabelledBox[] = [...labels];
  for (let i = 0; i < count; i++) {
    const plume = drawPlume(current.width, current.height, out, random);
    if (!plume) break;
    const pasted = pastePlume(current, plume, random);
    // A cloud too thin to label is left out rather than left in the image unlabelled.
    if (!pasted.bbox) continue;
    current = pasted.frame;
    out.push({ bbox: pasted.bbox, classId });
  }
  return out.length > labels.length ? { frame: current, labels: out } : null;
}
