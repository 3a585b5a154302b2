/**
 * Zone geometry for the rules: polygons in 0-1 frame coordinates (x right, y down), so a zone
 * drawn on one resolution holds on any other (Frigate's habit).
 *
 * A detection is "in" a zone when one anchor point of its box is inside the polygon (boundary
 * included), not when the boxes merely overlap:
 * - `bottom_center` (default): the middle of the bottom edge, where a car parks, a bike stands, a
 *   person or a stall touches the ground. A bus whose roof sticks into a pavement zone drawn behind
 *   it is not on that pavement; its wheels decide. Zones are therefore drawn on the ground.
 * - `center`: the box centre, for fire and smoke, which have no footprint (smoke rises away from
 *   its source; the centre is the steadiest point of a flame or plume box).
 */
import type { NormBox, RuleDef } from './event-model.ts';

/** A point [x, y] in 0-1 frame coordinates. */
export type NormPoint = readonly [number, number];

/** A zone as the rules see it: the camera config's zones have this shape. */
export interface RuleZone {
  /** Unique within the camera, e.g. "road". */
  readonly name: string;
  /** What the zone is for, matched against a rule's zoneKinds, e.g. "no_parking". */
  readonly kind?: string | undefined;
  /** Polygon vertices in order, at least 3, 0-1 coordinates. */
  readonly points: readonly NormPoint[];
}

/** Which point of a box must be inside a zone. */
export type ZoneAnchor = NonNullable<RuleDef['anchor']>;

/** Tolerance for "on the boundary": zone edges at 0 or 1 must hold boxes touching the frame edge. */
const EPS = 1e-9;

function onSegment(p: NormPoint, a: NormPoint, b: NormPoint): boolean {
  const cross = (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]);
  if (Math.abs(cross) > EPS) return false;
  return (
    p[0] >= Math.min(a[0], b[0]) - EPS &&
    p[0] <= Math.max(a[0], b[0]) + EPS &&
    p[1] >= Math.min(a[1], b[1]) - EPS &&
    p[1] <= Math.max(a[1], b[1]) + EPS
  );
}

/**
 * True when `p` is inside `polygon` or on its boundary. Even-odd rule (ray casting), so a
 * self-crossing polygon counts the parts covered an odd number of times. Fewer than 3 points: false.
 */
export function pointInPolygon(p: NormPoint, polygon: readonly NormPoint[]): boolean {
  if (polygon.length < 3) return false;
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const a = polygon[i]!;
    const b = polygon[j]!;
    if (onSegment(p, a, b)) return true;
    if (a[1] > p[1] !== b[1] > p[1] && p[0] < ((b[0] - a[0]) * (p[1] - a[1])) / (b[1] - a[1]) + a[0]) inside = !inside;
  }
  return inside;
}

/** The point of `box` that decides zone membership (see the module comment). */
export function anchorPoint(box: NormBox, anchor: ZoneAnchor = 'bottom_center'): NormPoint {
  const x = (box[0] + box[2]) / 2;
  return anchor === 'center' ? [x, (box[1] + box[3]) / 2] : [x, box[3]];
}

/** True when the box's anchor is in `zone`; `null` is the whole frame, which holds every box. */
export function boxInZone(box: NormBox, zone: RuleZone | null, anchor: ZoneAnchor = 'bottom_center'): boolean {
  return zone === null || pointInPolygon(anchorPoint(box, anchor), zone.points);
}

/**
 * The zones a rule watches on a camera: those whose kind is one of `zoneKinds`, in camera order;
 * `[null]` (the whole frame) when `zoneKinds` is empty. Zones without a kind match no rule.
 */
export function zonesForKinds(zones: readonly RuleZone[], zoneKinds: readonly string[]): (RuleZone | null)[] {
  if (zoneKinds.length === 0) return [null];
  return zones.filter((z) => z.kind !== undefined && zoneKinds.includes(z.kind));
}

/** The zones `box` is in (by its anchor), in camera order. */
export function zonesOfBox(box: NormBox, zones: readonly RuleZone[], anchor: ZoneAnchor = 'bottom_center'): RuleZone[] {
  return zones.filter((z) => boxInZone(box, z, anchor));
}
