import type { AnchorGrid } from './anchor-grid.ts';

/** A ground-truth box in input pixels with its class index. */
export interface TargetBox {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
  readonly classId: number;
}

/** Positive anchors of one image: anchor index, class and soft target (IoU of the frozen box). */
export interface AssignedTargets {
  readonly anchors: Int32Array;
  readonly classes: Int32Array;
  readonly quality: Float32Array;
}

/** Assignment parameters. */
export interface AssignOptions {
  /** Closest anchors per level whose IoU statistics set a box's threshold (ATSS's k). Default 9. */
  readonly topK?: number;
}

function iouWith(boxes: Float32Array, a: number, g: TargetBox): number {
  const x1 = Math.max(boxes[4 * a]!, g.x1);
  const y1 = Math.max(boxes[4 * a + 1]!, g.y1);
  const x2 = Math.min(boxes[4 * a + 2]!, g.x2);
  const y2 = Math.min(boxes[4 * a + 3]!, g.y2);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const areaA = Math.max(0, boxes[4 * a + 2]! - boxes[4 * a]!) * Math.max(0, boxes[4 * a + 3]! - boxes[4 * a + 1]!);
  const union = areaA + (g.x2 - g.x1) * (g.y2 - g.y1) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * ATSS-style assignment against the frozen regression's own boxes (as TOOD / TAL align labels
 * with the predicted boxes, since here the boxes cannot move):
 * for each ground-truth box take, per level, the `topK` anchors whose centres are closest to its
 * centre; the IoU of their decoded boxes with the ground truth gives a threshold mean + std; an
 * anchor is positive when its IoU reaches the threshold and its centre lies inside the box (the
 * best candidate always counts, so no box goes unlearned). An anchor claimed by two boxes keeps
 * the one it overlaps most. The target score is that IoU (quality focal loss's soft label), so
 * the head learns to rank the better-fitting frozen boxes first, which NMS then keeps.
 */
export function assignTargets(grid: AnchorGrid, boxes: Float32Array, gts: readonly TargetBox[], options: AssignOptions = {}): AssignedTargets {
  const topK = options.topK ?? 9;
  const bestIou = new Float32Array(grid.count);
  const bestGt = new Int32Array(grid.count).fill(-1);
  gts.forEach((g, gi) => {
    const gcx = (g.x1 + g.x2) / 2;
    const gcy = (g.y1 + g.y2) / 2;
    const candidates: number[] = [];
    for (let l = 0; l + 1 < grid.levelStart.length; l++) {
      const dist: [number, number][] = [];
      for (let a = grid.levelStart[l]!; a < grid.levelStart[l + 1]!; a++) {
        const dx = grid.cx[a]! - gcx;
        const dy = grid.cy[a]! - gcy;
        dist.push([dx * dx + dy * dy, a]);
      }
      dist.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
      for (const [, a] of dist.slice(0, topK)) candidates.push(a);
    }
    const ious = candidates.map((a) => iouWith(boxes, a, g));
    const mean = ious.reduce((s, v) => s + v, 0) / ious.length;
    const std = Math.sqrt(ious.reduce((s, v) => s + (v - mean) ** 2, 0) / ious.length);
    const threshold = mean + std;
    let best = -1;
    candidates.forEach((a, i) => {
      if (best < 0 || ious[i]! > ious[best]!) best = i;
      const inside = grid.cx[a]! > g.x1 && grid.cx[a]! < g.x2 && grid.cy[a]! > g.y1 && grid.cy[a]! < g.y2;
      if (inside && ious[i]! >= threshold && ious[i]! > 0) claim(a, ious[i]!, gi);
    });
    if (best >= 0 && ious[best]! > 0) claim(candidates[best]!, ious[best]!, gi);
  });
  function claim(a: number, iou: number, gi: number): void {
    if (bestGt[a]! < 0 || iou > bestIou[a]!) {
      bestGt[a] = gi;
      bestIou[a] = iou;
    }
  }
  const anchors: number[] = [];
  for (let a = 0; a < grid.count; a++) if (bestGt[a]! >= 0) anchors.push(a);
  return {
    anchors: Int32Array.from(anchors),
    classes: Int32Array.from(anchors, (a) => gts[bestGt[a]!]!.classId),
    quality: Float32Array.from(anchors, (a) => bestIou[a]!),
  };
}
