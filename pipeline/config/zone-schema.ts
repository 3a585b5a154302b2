import { z } from 'zod';

/** A relative image coordinate, 0 (left/top) to 1 (right/bottom). */
const unit = z.number().min(0, 'must be 0-1 (relative to the image)').max(1, 'must be 0-1 (relative to the image)');

/** A polygon vertex [x, y] in 0-1 image coordinates. */
export const PointSchema = z.tuple([unit, unit]).describe('Vertex [x, y], each 0-1 relative to the frame width/height.');

/** Twice the signed area of a polygon (shoelace). */
function doubleArea(points: readonly (readonly [number, number])[]): number {
  let a = 0;
  points.forEach(([x1, y1], i) => {
    const [x2, y2] = points[(i + 1) % points.length]!;
    a += x1 * y2 - x2 * y1;
  });
  return a;
}

/**
 * A named polygon on a camera's picture (e.g. the no-parking road area). Coordinates are 0-1 of
 * the frame so a zone survives a resolution change.
 */
export const ZoneSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lower-case letters, digits, _ and -, at most 64')
      .describe('Zone name, unique within its camera.'),
    kind: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,63}$/, 'lower-case snake_case word')
      .optional()
      .describe('What the zone is for, read by the rules: no_parking, sidewalk, road, bike_parking_forbidden, ... Optional.'),
    points: z.array(PointSchema).min(3, 'a polygon needs at least 3 points').max(100).describe('Polygon vertices in order, 3-100.'),
  })
  .superRefine((zone, ctx) => {
    if (zone.points.length >= 3 && Math.abs(doubleArea(zone.points)) < 1e-6) {
      ctx.addIssue({ code: 'custom', path: ['points'], message: 'polygon has no area (points repeated or on one line)', input: zone.points });
    }
  });
export type ZoneConfig = z.output<typeof ZoneSchema>;
