import { describe, expect, it } from 'vitest';
import { evaluateCoco } from './coco-eval.ts';
import type { CocoGroundTruth, CocoResult } from './coco-types.ts';
import { cocoPrCurve, mainPrCurves } from './pr-curves.ts';

// Class 1: two objects, found best first (precision 1 up to recall 1).
// Class 2: one object, found only by the second-best box (precision 1/2).
// Class 3: no ground truth (left out of averages).
const gt: CocoGroundTruth = {
  images: [{ id: 1 }],
  annotations: [
    { id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], area: 100, iscrowd: 0 },
    { id: 2, image_id: 1, category_id: 1, bbox: [20, 0, 10, 10], area: 100, iscrowd: 0 },
    { id: 3, image_id: 1, category_id: 2, bbox: [40, 0, 10, 10], area: 100, iscrowd: 0 },
  ],
  categories: [{ id: 1, name: 'a' }, { id: 2, name: 'b' }, { id: 3, name: 'c' }],
};
const dets: CocoResult[] = [
  { image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], score: 0.9 },
  { image_id: 1, category_id: 1, bbox: [20, 0, 10, 10], score: 0.8 },
  { image_id: 1, category_id: 2, bbox: [60, 0, 10, 10], score: 0.9 },
  { image_id: 1, category_id: 2, bbox: [40, 0, 10, 10], score: 0.8 },
];

describe('precision-recall curves', () => {
  const result = evaluateCoco(gt, dets);

  it('samples precision at the 101 recall points of each class and averages over classes with ground truth', () => {
    const a = cocoPrCurve(result, [0], 'a');
    expect(a.iou50).toHaveLength(101);
    expect(a.iou50.every((p) => Math.abs(p - 1) < 1e-12)).toBe(true);
    const b = cocoPrCurve(result, [1], 'b');
    expect(b.iou50.every((p) => Math.abs(p - 0.5) < 1e-12)).toBe(true);
    const all = cocoPrCurve(result, [0, 1, 2], 'all');
    expect(all.iou50[50]).toBeCloseTo(0.75, 12);
    // Exact boxes match at every IoU threshold, so the 0.50:0.95 mean is the same curve.
    expect(all.iou50to95[50]).toBeCloseTo(0.75, 12);
    expect(cocoPrCurve(result, [2], 'c').iou50[0]).toBe(-1);
  });

  it('picks main classes by ground-truth count', () => {
    const { overall, classes } = mainPrCurves(result, 5);
    expect(overall.label).toBe('all classes');
    expect(classes.map((c) => c.label)).toEqual(['a (2 boxes)', 'b (1 box)']);
  });
});
