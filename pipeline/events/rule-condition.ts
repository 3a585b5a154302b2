import type { FrameDetections } from '../visit/camera-visitor.ts';
import type { EventBox, RuleDef } from './event-model.ts';
import { labelSet, normaliseLabel } from './labels.ts';
import { boxArea, toNormBox } from './norm-box.ts';
import { type RuleZone, boxInZone } from './zones.ts';

/** What one frame shows for one rule in one zone. */
export interface ZoneHits {
  /** Detections of the rule's classes at or above minScore and minArea, anchored in the zone; best score first. */
  readonly boxes: readonly EventBox[];
  /** Detections of the rule's withClasses at or above minScore in the zone (their size is not checked). */
  readonly withCount: number;
}

/**
 * A rule's filter for one frame: class, score, area and zone (supervision's
 * `detections[zone.trigger(detections)]`). withClasses (e.g. the people at a stall) pass on score
 * and zone only: a seated vendor's box is small and partly hidden, and only their presence counts.
 */
export function zoneHits(frame: FrameDetections, rule: RuleDef, zone: RuleZone | null): ZoneHits {
  const classes = labelSet(rule.classes);
  const withClasses = labelSet(rule.withClasses ?? []);
  const boxes: EventBox[] = [];
  let withCount = 0;
  for (const d of frame) {
    if (!(d.score >= rule.minScore)) continue;
    const label = normaliseLabel(d.label);
    const box = toNormBox(d.box);
    if (!boxInZone(box, zone, rule.anchor)) continue;
    if (classes.has(label) && boxArea(box) >= rule.minArea) boxes.push({ label: d.label, score: d.score, box });
    else if (withClasses.has(label)) withCount++;
  }
  boxes.sort((a, b) => b.score - a.score);
  return { boxes, withCount };
}

/** The rule's condition on one frame: at least minCount boxes, and a withClasses detection when it names any. */
export function conditionHolds(hits: ZoneHits, rule: RuleDef): boolean {
  const needsWith = (rule.withClasses?.length ?? 0) > 0;
  return hits.boxes.length >= rule.minCount && (!needsWith || hits.withCount > 0);
}
