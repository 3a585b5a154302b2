import { describe, expect, it } from 'vitest';
import type { CocoAnnotation, CocoBox, CocoGroundTruth, CocoResult } from './coco-types.ts';
import { bestF1, curvePoints, matchDetections, pointAt, thresholdForPrecision } from './operating-point.ts';

let nextId = 1;
const gtBox = (image_id: number, category_id: number, bbox: CocoBox, iscrowd: 0 | 1 = 0): CocoAnnotation => ({
  id: nextId++, image_id, category_id, bbox, area: bbox[2] * bbox[3], iscrowd,
});
const det = (image_id: number, category_id: number, bbox: CocoBox, score: number): CocoResult => ({ image_id, category_id, bbox, score });

// Image 1: two objects of class 1. Image 2: a crowd region of class 1.
const gt: CocoGroundTruth = {
  images: [{ id: 1 }, { id: 2 }],
  annotations: [gtBox(1, 1, [0, 0, 10, 10]), gtBox(1, 1, [20, 20, 10, 10]), gtBox(2, 1, [0, 0, 50, 50], 1)],
  categories: [{ id: 1, name: 'a' }, { id: 2, name: 'b' }],
};
const dets = [
  det(1, 1, [0, 0, 10, 10], 0.9), // hit
  det(1, 1, [50, 50, 10, 10], 0.8), // false alarm
  det(1, 1, [21, 21, 10, 10], 0.7), // hit (IoU 0.68)
  det(1, 1, [1, 0, 10, 10], 0.6), // second box on an object already found: false alarm
  det(2, 1, [5, 5, 10, 10], 0.85), // inside the crowd region: neither
];
const all = { imageIds: [1, 2], categoryIds: [1, 2] };

describe('matchDetections', () => {
  it('pools hits and false alarms best first, dropping detections on crowd regions', () => {
    const m = matchDetections(gt, dets, all);
    expect([...m.scores]).toEqual([0.9, 0.8, 0.7, 0.6]);
    expect([...m.truePositive]).toEqual([1, 0, 1, 0]);
    expect(m.gtCount).toBe(2);
  });

  it('needs IoU >= the threshold and the same class', () => {
    const shifted = [det(1, 1, [0, 4, 10, 10], 0.9), det(1, 2, [20, 20, 10, 10], 0.8)]; // IoU 6/14 = 0.43; wrong class
    const m = matchDetections(gt, shifted, all);
    expect([...m.truePositive]).toEqual([0, 0]);
    expect([...matchDetections(gt, shifted, { ...all, iouThreshold: 0.4 }).truePositive]).toEqual([1, 0]);
    expect(matchDetections(gt, shifted, { ...all, categoryIds: [1] }).scores).toHaveLength(1);
  });
});

describe('operating point', () => {
  const m = matchDetections(gt, dets, all);

  it.each([
    [0.75, { precision: 0.5, recall: 0.5, f1: 0.5, tp: 1, fp: 1, fn: 1 }],
    [0.6, { precision: 0.5, recall: 1, tp: 2, fp: 2, fn: 0 }],
    [0.65, { precision: 2 / 3, recall: 1, f1: 0.8, tp: 2, fp: 1, fn: 0 }],
    [0.95, { precision: null, recall: 0, f1: null, tp: 0, fp: 0, fn: 2 }],
  ])('at score >= %s', (threshold, expected) => {
    const p = pointAt(m, threshold);
    expect(p.threshold).toBe(threshold);
    for (const [k, v] of Object.entries(expected)) {
      const actual = p[k as keyof typeof p];
      if (v === null) expect(actual).toBeNull();
      else expect(actual).toBeCloseTo(v, 12);
    }
  });

  it('finds the lowest threshold reaching a target precision, or none', () => {
    expect(thresholdForPrecision(m, 0.8)).toMatchObject({ threshold: 0.9, precision: 1, recall: 0.5 });
    expect(thresholdForPrecision(m, 0.6)).toMatchObject({ threshold: 0.7, recall: 1 });
    expect(thresholdForPrecision(m, 0.5)).toMatchObject({ threshold: 0.6 });
    expect(thresholdForPrecision(m, 1.01)).toBeNull();
  });

  it('finds the best F1', () => {
    expect(bestF1(m)).toMatchObject({ threshold: 0.7, f1: 0.8 });
  });

  it('keeps or drops detections with equal scores together', () => {
    const tied = matchDetections(gt, [det(1, 1, [50, 50, 5, 5], 0.5), det(1, 1, [0, 0, 10, 10], 0.5)], all);
    const points = curvePoints(tied);
    expect(points).toHaveLength(1);
    expect(points[0]).toMatchObject({ threshold: 0.5, tp: 1, fp: 1 });
    expect(thresholdForPrecision(tied, 0.9)).toBeNull();
  });

  it('has no precision without detections and no recall without ground truth', () => {
    const empty = matchDetections({ ...gt, annotations: [] }, [], all);
    expect(pointAt(empty, 0.5)).toMatchObject({ precision: null, recall: null, f1: null });
    expect(bestF1(empty)).toBeNull();
  });
});
