import type { FrameDetections } from '../visit/camera-visitor.ts';
import type { EventBox, RuleDef } from './event-model.ts';
import { boxIou } from './norm-box.ts';
import { zoneHits } from './rule-condition.ts';
import type { RuleZone } from './zones.ts';

/** One object as a whole visit saw it: the same box over the visit's frames. */
export interface Sighting extends EventBox {
  /** Index of the last frame it was seen on. */
  readonly frameIndex: number;
  /** Frames of the visit it was seen on. */
  readonly frames: number;
}

interface Cluster {
  box: EventBox;
  frameIndex: number;
  frames: number;
  scoreSum: number;
}

/**
 * The rule's objects of one visit, one per physical object: boxes of consecutive frames that
 * overlap by IoU >= `minIou` are one object (greedy, best score first, one box per frame). An
 * object must be seen in at least half of the visit's frames (rounded up), so a one-frame flicker
 * of a 3-frame visit is dropped while one missed frame is forgiven. Each sighting keeps its last
 * box and its mean score.
 */
export function visitSightings(frames: readonly FrameDetections[], rule: RuleDef, zone: RuleZone | null, minIou: number): Sighting[] {
  const clusters: Cluster[] = [];
  frames.forEach((frame, frameIndex) => {
    const taken = new Set<Cluster>();
    for (const hit of zoneHits(frame, rule, zone).boxes) {
      let best: Cluster | undefined;
      let bestIou = minIou;
      for (const c of clusters) {
        if (taken.has(c)) continue;
        const overlap = boxIou(c.box.box, hit.box);
        if (overlap >= bestIou) [best, bestIou] = [c, overlap];
      }
      if (best === undefined) {
        best = { box: hit, frameIndex, frames: 0, scoreSum: 0 };
        clusters.push(best);
      }
      best.box = hit;
      best.frameIndex = frameIndex;
      best.frames++;
      best.scoreSum += hit.score;
      taken.add(best);
    }
  });
  const needed = Math.max(1, Math.ceil(frames.length / 2));
  return clusters
    .filter((c) => c.frames >= needed)
    .map((c) => ({ label: c.box.label, box: c.box.box, score: c.scoreSum / c.frames, frameIndex: c.frameIndex, frames: c.frames }));
}
