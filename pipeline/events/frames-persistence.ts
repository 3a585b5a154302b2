import type { FrameDetections } from '../visit/camera-visitor.ts';
import type { EventBox, RuleDef } from './event-model.ts';
import { conditionHolds, zoneHits } from './rule-condition.ts';
import type { RuleZone } from './zones.ts';

/** A confirmation by the k-of-n frames test. */
export interface FramesConfirmation {
  /** The boxes of the last frame where the condition held (the sighting that confirmed it). */
  readonly boxes: readonly EventBox[];
  /** Index of that frame in the visit. */
  readonly frameIndex: number;
}

/**
 * 'frames' persistence: the rule's condition holds in at least `k` of the visit's last `n` frames
 * (all of them when the visit took fewer). Returns the confirming sighting, or null. One answer
 * per visit, never one per frame.
 */
export function judgeFrames(
  frames: readonly FrameDetections[],
  rule: RuleDef,
  zone: RuleZone | null,
  window: { readonly k: number; readonly n: number },
): FramesConfirmation | null {
  let holding = 0;
  let last: FramesConfirmation | null = null;
  for (let i = Math.max(0, frames.length - window.n); i < frames.length; i++) {
    const hits = zoneHits(frames[i]!, rule, zone);
    if (!conditionHolds(hits, rule)) continue;
    holding++;
    last = { boxes: hits.boxes, frameIndex: i };
  }
  return holding >= window.k ? last : null;
}
