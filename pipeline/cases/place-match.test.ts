import { describe, expect, it } from 'vitest';
import type { NormBox } from '../events/event-model.ts';
import { type DedupRule, findMatch, iou, matchScore } from './place-match.ts';

const byPlace: DedupRule = { by: 'place', minIou: 0.3 };
const byZone: DedupRule = { by: 'zone', minIou: 0.3 };
const at = (place: NormBox, zone: string | null = 'road', lastSeenAt = 0) => ({ place, zone, lastSeenAt });

describe('iou', () => {
  it.each([
    { a: [0, 0, 0.5, 0.5], b: [0, 0, 0.5, 0.5], want: 1 },
    { a: [0, 0, 0.5, 0.5], b: [0.5, 0, 1, 0.5], want: 0 },
    { a: [0, 0, 0.4, 0.4], b: [0.2, 0, 0.6, 0.4], want: 1 / 3 },
    { a: [0, 0, 1, 1], b: [0.25, 0.25, 0.75, 0.75], want: 0.25 },
    { a: [0.1, 0.1, 0.1, 0.3], b: [0, 0, 1, 1], want: 0 },
  ] as { a: NormBox; b: NormBox; want: number }[])('$a vs $b = $want', ({ a, b, want }) => {
    expect(iou(a, b)).toBeCloseTo(want, 9);
    expect(iou(b, a)).toBeCloseTo(want, 9);
  });
});

describe('dedup matching', () => {
  it.each([
    { what: 'same car, box shifted a little', a: [0.1, 0.5, 0.3, 0.7], b: [0.11, 0.51, 0.31, 0.71], same: true },
    { what: 'car in the next bay', a: [0.1, 0.5, 0.3, 0.7], b: [0.25, 0.5, 0.45, 0.7], same: false },
    { what: 'just at the threshold (IoU 1/3)', a: [0, 0, 0.4, 0.4], b: [0.2, 0, 0.6, 0.4], same: true },
    { what: 'other side of the picture', a: [0, 0, 0.1, 0.1], b: [0.9, 0.9, 1, 1], same: false },
  ] as { what: string; a: NormBox; b: NormBox; same: boolean }[])('place: $what', ({ a, b, same }) => {
    expect(matchScore(byPlace, at(a), at(b)) > 0).toBe(same);
  });

  it('place ignores the zone; zone ignores the place', () => {
    const box: NormBox = [0.1, 0.1, 0.2, 0.2];
    expect(matchScore(byPlace, at(box, 'a'), at(box, 'b'))).toBe(1);
    expect(matchScore(byZone, at(box, 'a'), at([0.8, 0.8, 0.9, 0.9], 'a'))).toBe(1);
    expect(matchScore(byZone, at(box, 'a'), at(box, 'b'))).toBe(0);
    expect(matchScore(byZone, at(box, null), at(box, null))).toBe(1);
    expect(matchScore(byZone, at(box, null), at(box, 'a'))).toBe(0);
  });

  it('picks the most overlapping candidate, then the most recent', () => {
    const s = at([0.1, 0.1, 0.3, 0.3]);
    const far = at([0.6, 0.6, 0.8, 0.8], 'road', 9);
    const near = at([0.1, 0.1, 0.3, 0.31], 'road', 1);
    const nearish = at([0.12, 0.12, 0.32, 0.32], 'road', 5);
    expect(findMatch(byPlace, s, [far, nearish, near])).toBe(near);
    expect(findMatch(byPlace, s, [far])).toBeUndefined();
    const z1 = at([0, 0, 1, 1], 'road', 1);
    const z2 = at([0, 0, 1, 1], 'road', 7);
    expect(findMatch(byZone, s, [z1, z2, at([0, 0, 1, 1], 'x', 99)])).toBe(z2);
  });
});
