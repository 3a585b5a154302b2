import type { NormBox } from '../events/event-model.ts';

/**
 * The deduplication rule: when two sightings of one event type on one camera are "the same thing".
 * - `place`: their places (unions of their boxes, 0-1 coordinates) overlap by IoU >= `minIou`.
 *   Default 0.3: a parked car re-detected on the next visit shifts its box by a few percent (IoU
 *   0.7-0.95); a second car in the next bay overlaps little (IoU < 0.2). The zone is not compared:
 *   an object straddling two zones is still one object.
 * - `zone`: same zone (null = the whole frame) whatever the boxes; for zone-wide events (crowds,
 *   litter, stalls) whose boxes move and change in number between visits.
 */
export interface DedupRule {
  readonly by: 'place' | 'zone';
  /** Minimum IoU for `place`, 0-1. */
  readonly minIou: number;
}

/** What matching needs to know of a sighting or a case. */
export interface Placed {
  readonly zone: string | null;
  readonly place: NormBox;
}

/** Intersection over union of two 0-1 boxes [x1, y1, x2, y2]; 0 when either has no area. */
export function iou(a: NormBox, b: NormBox): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}

/** How well `candidate` matches `sighting` under `rule`: a score > 0, or 0 for "not the same thing". */
export function matchScore(rule: DedupRule, sighting: Placed, candidate: Placed): number {
  if (rule.by === 'zone') return sighting.zone === candidate.zone ? 1 : 0;
  const overlap = iou(sighting.place, candidate.place);
  return overlap >= rule.minIou && overlap > 0 ? overlap : 0;
}

/**
 * The candidate that is the same thing as `sighting`, or undefined. Several match: the highest
 * score wins (the most overlapping place), then the most recently seen.
 */
export function findMatch<T extends Placed & { readonly lastSeenAt: number }>(rule: DedupRule, sighting: Placed, candidates: readonly T[]): T | undefined {
  let best: T | undefined;
  let bestScore = 0;
  for (const c of candidates) {
    const s = matchScore(rule, sighting, c);
    if (s > bestScore || (s > 0 && s === bestScore && best !== undefined && c.lastSeenAt > best.lastSeenAt)) {
      best = c;
      bestScore = s;
    }
  }
  return best;
}
