import { describe, expect, it } from 'vitest';
import type { Candidates } from './decoders/decoder.ts';
import { iou, nms } from './nms.ts';

type Row = { box: [number, number, number, number]; score: number; cls: number };

function candidates(rows: readonly Row[]): Candidates {
  return { boxes: rows.flatMap((r) => r.box), scores: rows.map((r) => r.score), classIds: rows.map((r) => r.cls) };
}

describe('iou', () => {
  it.each([
    { name: 'identical', a: [0, 0, 10, 10], b: [0, 0, 10, 10], want: 1 },
    { name: 'shifted by 1: 81 / (100 + 100 - 81)', a: [0, 0, 10, 10], b: [1, 1, 11, 11], want: 81 / 119 },
    { name: 'half height: 50 / 100', a: [0, 0, 10, 10], b: [0, 0, 10, 5], want: 0.5 },
    { name: 'contained quarter: 25 / 100', a: [0, 0, 10, 10], b: [0, 0, 5, 5], want: 0.25 },
    { name: 'touching edges', a: [0, 0, 10, 10], b: [10, 0, 20, 10], want: 0 },
    { name: 'disjoint', a: [0, 0, 1, 1], b: [5, 5, 6, 6], want: 0 },
    { name: 'a point inside a box', a: [5, 5, 5, 5], b: [0, 0, 10, 10], want: 0 },
    { name: 'two identical points', a: [5, 5, 5, 5], b: [5, 5, 5, 5], want: 0 },
    { name: 'an inverted box counts as empty', a: [10, 10, 0, 0], b: [0, 0, 10, 10], want: 0 },
  ])('$name -> $want', ({ a, b, want }) => {
    expect(iou(a, b)).toBeCloseTo(want, 12);
    expect(iou(b, a)).toBeCloseTo(want, 12);
  });
});

describe('nms', () => {
  // IoU(A, B) = 81/119 = 0.68; IoU(A, E) = 0.5 exactly; D is far away; C is B's box in another class.
  const table = candidates([
    { box: [0, 0, 10, 10], score: 0.9, cls: 0 }, // 0 A
    { box: [1, 1, 11, 11], score: 0.8, cls: 0 }, // 1 B: suppressed by A
    { box: [1, 1, 11, 11], score: 0.7, cls: 1 }, // 2 C: other class, kept
    { box: [20, 20, 30, 30], score: 0.6, cls: 0 }, // 3 D: no overlap, kept
    { box: [0, 0, 10, 5], score: 0.5, cls: 0 }, // 4 E: IoU with A is exactly 0.5
  ]);

  it.each([
    { iouThreshold: 0.5, maxDetections: 100, want: [0, 2, 3, 4] }, // 0.5 is not above 0.5: E stays
    { iouThreshold: 0.45, maxDetections: 100, want: [0, 2, 3] }, // E goes
    { iouThreshold: 0.7, maxDetections: 100, want: [0, 1, 2, 3, 4] }, // 0.68 is under 0.7: B stays
    { iouThreshold: 0, maxDetections: 100, want: [0, 2, 3] }, // any overlap suppresses
    { iouThreshold: 0.5, maxDetections: 2, want: [0, 2] },
    { iouThreshold: 0.5, maxDetections: 0, want: [] },
  ])('iou $iouThreshold, max $maxDetections -> $want', ({ iouThreshold, maxDetections, want }) => {
    expect(nms(table, { iouThreshold, maxDetections })).toEqual(want);
  });

  it('returns kept indices by descending score whatever the input order', () => {
    const c = candidates([
      { box: [0, 0, 1, 1], score: 0.1, cls: 0 },
      { box: [2, 2, 3, 3], score: 0.9, cls: 0 },
      { box: [4, 4, 5, 5], score: 0.5, cls: 3 },
    ]);
    expect(nms(c, { iouThreshold: 0.5, maxDetections: 10 })).toEqual([1, 2, 0]);
  });

  it('breaks score ties by the lower index, also when the tied boxes overlap', () => {
    const apart = candidates([
      { box: [4, 4, 5, 5], score: 0.5, cls: 0 },
      { box: [0, 0, 1, 1], score: 0.5, cls: 0 },
    ]);
    expect(nms(apart, { iouThreshold: 0.5, maxDetections: 10 })).toEqual([0, 1]);
    const same = candidates([
      { box: [0, 0, 10, 10], score: 0.2, cls: 0 },
      { box: [0, 0, 10, 10], score: 0.5, cls: 0 },
      { box: [0, 0, 10, 10], score: 0.5, cls: 0 },
    ]);
    expect(nms(same, { iouThreshold: 0.5, maxDetections: 10 })).toEqual([1]);
  });

  it('never suppresses with or against zero-area boxes', () => {
    const c = candidates([
      { box: [5, 5, 5, 5], score: 0.95, cls: 0 },
      { box: [0, 0, 10, 10], score: 0.9, cls: 0 },
      { box: [5, 5, 5, 5], score: 0.8, cls: 0 },
      { box: [3, 0, 3, 10], score: 0.7, cls: 0 },
    ]);
    expect(nms(c, { iouThreshold: 0.1, maxDetections: 10 })).toEqual([0, 1, 2, 3]);
  });

  it('drops NaN scores and handles no candidates', () => {
    const c = candidates([
      { box: [0, 0, 1, 1], score: Number.NaN, cls: 0 },
      { box: [0, 0, 1, 1], score: 0.3, cls: 0 },
    ]);
    expect(nms(c, { iouThreshold: 0.5, maxDetections: 10 })).toEqual([1]);
    expect(nms(candidates([]), { iouThreshold: 0.5, maxDetections: 10 })).toEqual([]);
  });

  it('refuses candidates whose arrays disagree in length', () => {
    expect(() => nms({ boxes: [0, 0, 1], scores: [0.5], classIds: [0] }, { iouThreshold: 0.5, maxDetections: 1 })).toThrow(
      'nms: 1 scores need 4 box values and 1 class ids, got 3 and 1',
    );
  });

  it('matches a plain per-class sort-and-sweep on random boxes', () => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let trial = 0; trial < 20; trial++) {
      const rows: Row[] = Array.from({ length: 200 }, () => {
        const x = rand() * 100;
        const y = rand() * 100;
        return { box: [x, y, x + 5 + rand() * 30, y + 5 + rand() * 30], score: Math.round(rand() * 50) / 50, cls: Math.floor(rand() * 3) };
      });
      const options = { iouThreshold: 0.3 + rand() * 0.4, maxDetections: 5 + Math.floor(rand() * 60) };
      expect(nms(candidates(rows), options)).toEqual(referenceNms(rows, options.iouThreshold, options.maxDetections));
    }
  });
});

/** Textbook class-wise NMS: sort each class, sweep, merge all classes, sort, cut. */
function referenceNms(rows: readonly Row[], threshold: number, max: number): number[] {
  const byScore = (a: number, b: number) => rows[b]!.score - rows[a]!.score || a - b;
  const kept: number[] = [];
  for (const cls of new Set(rows.map((r) => r.cls))) {
    const order = rows.map((_, i) => i).filter((i) => rows[i]!.cls === cls).sort(byScore);
    const keptHere: number[] = [];
    for (const i of order) if (keptHere.every((k) => iou(rows[i]!.box, rows[k]!.box) <= threshold)) keptHere.push(i);
    kept.push(...keptHere);
  }
  return kept.sort(byScore).slice(0, max);
}
