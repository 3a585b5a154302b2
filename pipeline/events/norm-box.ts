import { iou } from '../../models/nms.ts';
import type { NormBox } from './event-model.ts';

const clamp01 = (v: number): number => (Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0);

/**
 * A detector's [x1, y1, x2, y2] (0-1 of the frame) as a NormBox: clamped into the frame and with
 * the corners ordered, so a slightly out-of-frame box from a decoder still has a sane area.
 */
export function toNormBox(box: readonly number[]): NormBox {
  const [a = 0, b = 0, c = 0, d = 0] = box.map(clamp01);
  return [Math.min(a, c), Math.min(b, d), Math.max(a, c), Math.max(b, d)];
}

/** Area of a box as a fraction of the frame (0-1). */
export function boxArea(box: NormBox): number {
  return Math.max(0, box[2] - box[0]) * Math.max(0, box[3] - box[1]);
}

/** The smallest box holding all of `boxes`; [0, 0, 0, 0] for none. */
export function unionBox(boxes: readonly NormBox[]): NormBox {
  if (boxes.length === 0) return [0, 0, 0, 0];
  return [
    Math.min(...boxes.map((b) => b[0])),
    Math.min(...boxes.map((b) => b[1])),
    Math.max(...boxes.map((b) => b[2])),
    Math.max(...boxes.map((b) => b[3])),
  ];
}

/** Intersection over union of two 0-1 boxes (0 when both are empty). */
export function boxIou(a: NormBox, b: NormBox): number {
  return iou(a, b);
}
