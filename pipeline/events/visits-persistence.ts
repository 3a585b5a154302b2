import type { FrameDetections } from '../visit/camera-visitor.ts';
import { MAX_TRACKS_PER_ZONE, type TrackedObject } from './camera-memory.ts';
import type { RuleDef } from './event-model.ts';
import { boxIou } from './norm-box.ts';
import { zoneHits } from './rule-condition.ts';
import { type Sighting, visitSightings } from './visit-sightings.ts';
import type { RuleZone } from './zones.ts';

/** The 'visits' persistence settings of a rule. */
export type VisitsPersistence = Extract<RuleDef['persistence'], { kind: 'visits' }>;

/** What one visit did to one rule's tracks in one zone. */
export interface VisitsOutcome {
  /** The tracks to remember for this rule and zone (expired ones dropped). */
  readonly tracks: readonly TrackedObject[];
  /** The persisting objects when the rule is confirmed on this visit, else null. */
  readonly confirmed: { readonly sightings: readonly Sighting[]; readonly firstSeenAt: number } | null;
}

/** Pairs sightings with live tracks, highest IoU first, each used once; IoU below minIou never pairs. */
function match(tracks: readonly TrackedObject[], sightings: readonly Sighting[], minIou: number): Map<Sighting, TrackedObject> {
  const pairs: { t: TrackedObject; s: Sighting; iou: number }[] = [];
  for (const t of tracks) {
    for (const s of sightings) {
      const iou = boxIou(t.box, s.box);
      if (iou >= minIou) pairs.push({ t, s, iou });
    }
  }
  pairs.sort((a, b) => b.iou - a.iou);
  const bySighting = new Map<Sighting, TrackedObject>();
  const used = new Set<TrackedObject>();
  for (const { t, s } of pairs) {
    if (bySighting.has(s) || used.has(t)) continue;
    bySighting.set(s, t);
    used.add(t);
  }
  return bySighting;
}

/**
 * 'visits' persistence for one rule in one zone. The visit's sightings are matched to the tracks
 * remembered for this rule and zone (IoU with the first-seen place >= minIou); a track not seen
 * for more than maxGapS is forgotten; an unmatched sighting starts a new track. The rule is
 * confirmed when at least minCount objects seen now were first seen minDurationS or longer ago
 * (and, if the rule names withClasses, one of those is in the zone on some frame of this visit).
 * It is confirmed again on every later visit the objects are still there: once per visit.
 */
export function judgeVisits(args: {
  readonly frames: readonly FrameDetections[];
  readonly rule: RuleDef;
  readonly persistence: VisitsPersistence;
  readonly zone: RuleZone | null;
  readonly at: number;
  readonly tracks: readonly TrackedObject[];
}): VisitsOutcome {
  const { frames, rule, persistence, zone, at } = args;
  const gapMs = persistence.maxGapS * 1000;
  const live = args.tracks.filter((t) => at - t.lastSeenAt <= gapMs);
  const sightings = visitSightings(frames, rule, zone, persistence.minIou);
  const matched = match(live, sightings, persistence.minIou);
  const present = sightings.map((s): [Sighting, TrackedObject] => {
    const old = matched.get(s);
    const base = old ?? { ruleId: rule.id, zone: zone?.name ?? null, box: s.box, firstSeenAt: at, hits: 0 };
    return [s, { ...base, label: s.label, lastSeenAt: at, hits: base.hits + 1, expiresAt: at + gapMs }];
  });
  const seen = new Set(matched.values());
  const tracks = [...present.map(([, t]) => t), ...live.filter((t) => !seen.has(t))]
    .sort((a, b) => b.lastSeenAt - a.lastSeenAt)
    .slice(0, MAX_TRACKS_PER_ZONE);
  const persisting = present.filter(([, t]) => at - t.firstSeenAt >= persistence.minDurationS * 1000);
  const needsWith = (rule.withClasses?.length ?? 0) > 0;
  const withOk = !needsWith || frames.some((f) => zoneHits(f, rule, zone).withCount > 0);
  if (persisting.length === 0 || persisting.length < rule.minCount || !withOk) return { tracks, confirmed: null };
  return {
    tracks,
    confirmed: { sightings: persisting.map(([s]) => s), firstSeenAt: Math.min(...persisting.map(([, t]) => t.firstSeenAt)) },
  };
}
