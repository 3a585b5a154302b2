import { describe, expect, it } from 'vitest';
import type { NormBox } from './event-model.ts';
import { type NormPoint, type RuleZone, anchorPoint, boxInZone, pointInPolygon, zonesForKinds, zonesOfBox } from './zones.ts';

const square: NormPoint[] = [[0.2, 0.2], [0.6, 0.2], [0.6, 0.6], [0.2, 0.6]];
// A "U": the notch (0.4-0.6 wide, 0-0.6 high) is outside.
const u: NormPoint[] = [[0, 0], [0.4, 0], [0.4, 0.6], [0.6, 0.6], [0.6, 0], [1, 0], [1, 1], [0, 1]];
const bottomBand: NormPoint[] = [[0, 0.5], [1, 0.5], [1, 1], [0, 1]];

describe('pointInPolygon', () => {
  it.each<[string, NormPoint, readonly NormPoint[], boolean]>([
    ['inside', [0.4, 0.4], square, true],
    ['outside right', [0.7, 0.4], square, false],
    ['outside above', [0.4, 0.1], square, false],
    ['on an edge', [0.6, 0.4], square, true],
    ['on a vertex', [0.2, 0.2], square, true],
    ['in the arm of a U', [0.2, 0.3], u, true],
    ['in the notch of a U', [0.5, 0.3], u, false],
    ['below the notch of a U', [0.5, 0.8], u, true],
    ['on the frame edge, zone reaching it', [0.5, 1], bottomBand, true],
    ['a triangle corner region', [0.9, 0.6], [[0, 0.5], [1, 0.5], [1, 1]], true],
    ['beside a triangle', [0.1, 0.9], [[0, 0.5], [1, 0.5], [1, 1]], false],
    ['a degenerate polygon', [0.5, 0.5], [[0, 0], [1, 1]], false],
  ])('%s', (_what, p, polygon, expected) => {
    expect(pointInPolygon(p, polygon)).toBe(expected);
  });
});

describe('zone membership of a box', () => {
  const road: RuleZone = { name: 'road', kind: 'no_parking', points: bottomBand };
  const box: NormBox = [0.3, 0.2, 0.5, 0.55];

  it('places a box by its bottom centre by default, by its centre on request', () => {
    expect(anchorPoint(box)).toEqual([0.4, 0.55]);
    expect(anchorPoint(box, 'center')).toEqual([0.4, 0.375]);
    expect(boxInZone(box, road)).toBe(true);
    expect(boxInZone(box, road, 'center')).toBe(false);
  });

  it.each<[string, NormBox, boolean]>([
    ['a car with its wheels on the road', [0.1, 0.3, 0.3, 0.7], true],
    ['a bus whose roof reaches into the zone but wheels stand above it', [0.1, 0.1, 0.9, 0.45], false],
    ['a box touching the bottom of the frame', [0.4, 0.8, 0.6, 1], true],
  ])('%s', (_what, b, expected) => {
    expect(boxInZone(b, road)).toBe(expected);
  });

  it('treats null as the whole frame', () => {
    expect(boxInZone([0, 0, 0.01, 0.01], null)).toBe(true);
  });

  it('finds the zones of given kinds, and of a box', () => {
    const zones: RuleZone[] = [road, { name: 'kerb', kind: 'sidewalk', points: square }, { name: 'plain', points: square }];
    expect(zonesForKinds(zones, ['sidewalk', 'no_parking']).map((z) => z?.name)).toEqual(['road', 'kerb']);
    expect(zonesForKinds(zones, [])).toEqual([null]);
    expect(zonesForKinds(zones, ['crowd_watch'])).toEqual([]);
    expect(zonesOfBox([0.35, 0.3, 0.45, 0.55], zones).map((z) => z.name)).toEqual(['road', 'kerb', 'plain']);
  });
});
