import type { Candidates } from './decoders/decoder.ts';

/** Options for class-wise non-maximum suppression. */
export interface NmsOptions {
  /** A box is suppressed when its IoU with a kept box of the same class is above this (0-1). */
  readonly iouThreshold: number;
  /** At most this many boxes are returned, highest scores first. */
  readonly maxDetections: number;
}

/** Area of an [x1, y1, x2, y2] box; inverted sides count as zero. */
function area(x1: number, y1: number, x2: number, y2: number): number {
  return Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
}

function overlap(ax1: number, ay1: number, ax2: number, ay2: number, bx1: number, by1: number, bx2: number, by2: number): number {
  return area(Math.max(ax1, bx1), Math.max(ay1, by1), Math.min(ax2, bx2), Math.min(ay2, by2));
}

/**
 * Intersection over union of two [x1, y1, x2, y2] boxes: inter / (areaA + areaB - inter).
 * Returns 0 when the union is empty (both boxes have zero area).
 */
export function iou(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const inter = overlap(a[0]!, a[1]!, a[2]!, a[3]!, b[0]!, b[1]!, b[2]!, b[3]!);
  const union = area(a[0]!, a[1]!, a[2]!, a[3]!) + area(b[0]!, b[1]!, b[2]!, b[3]!) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Candidate indices handed out best first (higher score, then lower index). A heap rather
 * than a full sort: NMS usually stops at maxDetections long before the last candidate.
 */
class ScoreHeap {
  private readonly heap: Int32Array;
  private size = 0;

  constructor(private readonly scores: readonly number[]) {
    this.heap = new Int32Array(scores.length);
    for (let i = 0; i < scores.length; i++) if (!Number.isNaN(scores[i])) this.heap[this.size++] = i;
    for (let i = (this.size >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  /** The best remaining index, or -1 when none is left. */
  pop(): number {
    if (this.size === 0) return -1;
    const top = this.heap[0]!;
    this.heap[0] = this.heap[--this.size]!;
    this.siftDown(0);
    return top;
  }

  private before(a: number, b: number): boolean {
    const sa = this.scores[a]!;
    const sb = this.scores[b]!;
    return sa > sb || (sa === sb && a < b);
  }

  private siftDown(start: number): void {
    const heap = this.heap;
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= this.size) return;
      const right = left + 1;
      const child = right < this.size && this.before(heap[right]!, heap[left]!) ? right : left;
      if (!this.before(heap[child]!, heap[i]!)) return;
      const held = heap[i]!;
      heap[i] = heap[child]!;
      heap[child] = held;
      i = child;
    }
  }
}

/** True when box `i` overlaps any box in `group` by IoU above `threshold`. */
function suppressed(i: number, group: readonly number[], boxes: readonly number[], areas: Float64Array, threshold: number): boolean {
  const x1 = boxes[4 * i]!;
  const y1 = boxes[4 * i + 1]!;
  const x2 = boxes[4 * i + 2]!;
  const y2 = boxes[4 * i + 3]!;
  const a = areas[i]!;
  for (const k of group) {
    const inter = overlap(x1, y1, x2, y2, boxes[4 * k]!, boxes[4 * k + 1]!, boxes[4 * k + 2]!, boxes[4 * k + 3]!);
    const union = a + areas[k]! - inter;
    if (union > 0 && inter / union > threshold) return true;
  }
  return false;
}

/**
 * Greedy class-wise NMS. Returns the indices of the kept candidates, sorted by descending score
 * (ties: lower index first), at most `maxDetections` of them. A candidate is suppressed only by a
 * higher-ranked kept candidate of the same class whose IoU with it is above `iouThreshold`; boxes
 * with zero area never suppress or get suppressed. Candidates with a NaN score are dropped.
 * Walking all classes in one global score order gives the same result as running NMS per class
 * and merging, and lets the walk stop as soon as `maxDetections` are kept.
 */
export function nms(candidates: Candidates, options: NmsOptions): number[] {
  const { boxes, scores, classIds } = candidates;
  const n = scores.length;
  if (boxes.length !== 4 * n || classIds.length !== n) {
    throw new RangeError(`nms: ${n} scores need ${4 * n} box values and ${n} class ids, got ${boxes.length} and ${classIds.length}`);
  }
  const { iouThreshold, maxDetections } = options;
  const areas = new Float64Array(n);
  for (let i = 0; i < n; i++) areas[i] = area(boxes[4 * i]!, boxes[4 * i + 1]!, boxes[4 * i + 2]!, boxes[4 * i + 3]!);
  const order = new ScoreHeap(scores);
  const keptByClass = new Map<number, number[]>();
  const kept: number[] = [];
  while (kept.length < maxDetections) {
    const i = order.pop();
    if (i < 0) break;
    const cls = classIds[i]!;
    let group = keptByClass.get(cls);
    if (group === undefined) {
      group = [];
      keptByClass.set(cls, group);
    }
    if (suppressed(i, group, boxes, areas, iouThreshold)) continue;
    group.push(i);
    kept.push(i);
  }
  return kept;
}
