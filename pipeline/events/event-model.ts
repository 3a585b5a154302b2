/**
 * The shared vocabulary of the events stage: what an event type is, what a rule is, what the rules
 * hand on (a ConfirmedEvent). Pure types; the config schema and the rule engine speak them, and
 * the case model (pipeline/cases/case-model.ts) takes a ConfirmedEvent in.
 */

/** Severity of an event type, most urgent last. Dispatch priority derives from it. */
export type Severity = 'low' | 'medium' | 'high' | 'critical';

/** One kind of street-order event or hazard, from the catalogue (data, not code). */
export interface EventTypeDef {
  /** Stable id, e.g. "illegal_parking". */
  readonly id: string;
  /** Chinese name, e.g. 违章停车. */
  readonly nameZh: string;
  /** English name, e.g. "Illegal parking". */
  readonly nameEn: string;
  /** Category code of the district's case system, e.g. "A01-03". */
  readonly category: string;
  readonly severity: Severity;
  /** Time allowed to handle a case, minutes from dispatch. */
  readonly deadlineMinutes: number;
  /** Per-level deadlines (minutes) after an escalation; a level not listed uses `deadlineMinutes`. */
  readonly deadlineMinutesByLevel?: Readonly<Partial<Record<'community' | 'street_office' | 'district', number>>>;
  /** Responsible unit per area type; `default` for the rest. */
  readonly responsibleUnit: Readonly<Record<string, string>>;
  /**
   * How the case store tells "the same thing" apart (deduplication while a case is open, and the
   * cooldown after it closed): `place` (default) matches an open case of the same camera and type
   * whose place overlaps by IoU >= the store's `minIou` (0.3 unless configured); `zone` matches any
   * case of the same camera, type and zone, for zone-wide events whose boxes move (crowds, litter).
   */
  readonly dedup?: 'place' | 'zone';
  /**
   * Seconds after a case of this type was resolved or rejected during which the same thing does
   * not open a new case (the sighting is counted as suppressed). Default: the case store's
   * `defaultCooldownS` (1800 s).
   */
  readonly cooldownS?: number;
}

/** How a rule judges that what it sees persists. */
export type Persistence =
  /** Within one visit: the condition holds in at least k of the visit's last n frames. */
  | { readonly kind: 'frames'; readonly k: number; readonly n: number }
  /**
   * Across visits: the same objects (boxes overlapping by IoU >= minIou, same class group) are
   * still there at least `minDurationS` after first seen, using a per-camera memory of where
   * objects were. `maxGapS`: a sighting older than this is forgotten.
   */
  | { readonly kind: 'visits'; readonly minDurationS: number; readonly minIou: number; readonly maxGapS: number };

/** A rule: detector classes in zones, thresholds, count and persistence -> an event type. */
export interface RuleDef {
  readonly id: string;
  /** Event type id it raises. */
  readonly eventType: string;
  /** Detector labels that count (e.g. car, truck, bus, motorcycle). */
  readonly classes: readonly string[];
  /**
   * Labels that must also be present in the zone (e.g. person for street vending), counted separately.
   * Default none.
   */
  readonly withClasses?: readonly string[];
  /** Zone kinds it applies to (e.g. no_parking); empty = the whole frame. */
  readonly zoneKinds: readonly string[];
  /** Minimum detection score 0-1. */
  readonly minScore: number;
  /** Minimum box area as a fraction of the frame (0-1). */
  readonly minArea: number;
  /** Minimum number of matching detections in the zone. */
  readonly minCount: number;
  readonly persistence: Persistence;
  /**
   * Which point of a detection box must lie inside the zone. `bottom_center` (the default): the
   * middle of the box's bottom edge, where a vehicle, bike, stall or person touches the ground.
   * `center`: the box centre, for things with no footprint (fire, smoke). Ignored by whole-frame rules.
   */
  readonly anchor?: 'bottom_center' | 'center';
  /** Restrict to these area types / cameras. Default all. */
  readonly areaTypes?: readonly string[];
  readonly cameraIds?: readonly string[];
}

/** A box in 0-1 frame coordinates [x1, y1, x2, y2]. */
export type NormBox = readonly [number, number, number, number];

/** A detection that took part in an event. */
export interface EventBox {
  readonly label: string;
  readonly score: number;
  readonly box: NormBox;
}

/** What the rules hand on: an event confirmed by its rule's persistence test. */
export interface ConfirmedEvent {
  readonly eventType: string;
  readonly ruleId: string;
  readonly cameraId: string;
  /** Zone name, or null for a whole-frame rule. */
  readonly zone: string | null;
  /** Epoch ms of the confirming sighting. */
  readonly at: number;
  /** Epoch ms the thing was first seen (persistence rules); equals `at` otherwise. */
  readonly firstSeenAt: number;
  /** Confidence 0-1: mean score of the boxes that confirmed it. */
  readonly confidence: number;
  readonly boxes: readonly EventBox[];
  /** Where it is: the union of its boxes, 0-1 (dedup key with the camera and the type). */
  readonly place: NormBox;
  /** Model that produced the detections, "id@version". */
  readonly model: string;
  /** Index of the visit frame it was confirmed on. */
  readonly frameIndex: number;
  /** Seen by a shadow candidate: its case is verified but never dispatched. Default false. */
  readonly shadow?: boolean;
}
