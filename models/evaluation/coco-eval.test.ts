import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CocoDataError } from './coco-errors.ts';
import { evaluateCoco } from './coco-eval.ts';
import { loadCocoEvalInputs } from './coco-load.ts';
import { bboxIou } from './coco-match.ts';
import { IOU_THRESHOLDS, RECALL_THRESHOLDS } from './coco-params.ts';
import type { CocoAnnotation, CocoBox, CocoGroundTruth, CocoResult } from './coco-types.ts';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '../../test-fixtures/eval/val2014-100');

// A lone first true positive has precision 1 / (1 + spacing(1)) in pycocotools, one ulp below 1.
const ONE = 1 / (1 + Number.EPSILON);

let nextId = 1;
/** A ground-truth box; area defaults to the box area. */
const gtBox = (image_id: number, category_id: number, bbox: CocoBox, extra: Partial<CocoAnnotation> = {}): CocoAnnotation => ({
  id: nextId++,
  image_id,
  category_id,
  bbox,
  area: bbox[2] * bbox[3],
  iscrowd: 0,
  ...extra,
});
const det = (image_id: number, category_id: number, bbox: CocoBox, score: number): CocoResult => ({ image_id, category_id, bbox, score });
const groundTruth = (annotations: CocoAnnotation[], imageIds = [1], categoryIds = [1]): CocoGroundTruth => ({
  images: imageIds.map((id) => ({ id })),
  annotations,
  categories: categoryIds.map((id) => ({ id, name: `class${id}` })),
});

/** Asserts all twelve stats within 1e-12 of the hand-computed ones. */
function expectStats(actual: readonly number[], expected: readonly number[]): void {
  expect(actual).toHaveLength(12);
  actual.forEach((v, i) => expect(Math.abs(v - expected[i]!), `stat ${i}: ${v} vs ${expected[i]}`).toBeLessThan(1e-12));
}

describe('evaluateCoco on val2014-100 (pycocotools reference)', () => {
  it('reproduces all twelve statistics within 1e-9', async () => {
    const { groundTruth: gt, results } = await loadCocoEvalInputs(join(FIXTURE, 'ground_truth.json'), join(FIXTURE, 'detections.json'));
    const expected = JSON.parse(readFileSync(join(FIXTURE, 'expected_stats.json'), 'utf8')) as { stats: number[] };
    const result = evaluateCoco(gt, results);
    expect(result.stats).toHaveLength(12);
    result.stats.forEach((v, i) => expect(Math.abs(v - expected.stats[i]!), result.statNames[i]).toBeLessThanOrEqual(1e-9));
    expect(result.imageIds).toHaveLength(100);
    expect(result.categoryIds).toHaveLength(80);
    // Every class with gts has all T x R entries, so the mean of the class APs is stats[0].
    const aps = result.perClass.filter((c) => c.ap > -1).map((c) => c.ap);
    expect(aps.reduce((s, v) => s + v, 0) / aps.length).toBeCloseTo(result.stats[0]!, 12);
    expect(result.perClass.reduce((s, c) => s + c.dtCount, 0) + result.skippedDetections).toBe(results.length);
  });
});

describe('parameters', () => {
  it('builds the thresholds as numpy.linspace does', () => {
    expect(IOU_THRESHOLDS).toEqual([0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.8999999999999999, 0.95]);
    expect(RECALL_THRESHOLDS).toHaveLength(101);
    // Values numpy 2.4 prints for np.linspace(.0, 1.00, 101).
    expect([35, 41, 57, 69, 70, 94, 95, 100].map((i) => RECALL_THRESHOLDS[i])).toEqual([
      0.35000000000000003, 0.41000000000000003, 0.5700000000000001, 0.6900000000000001, 0.7000000000000001,
      0.9400000000000001, 0.9500000000000001, 1,
    ]);
  });

  it('computes IoU like bbIou, with the detection area as union for crowd regions', () => {
    const dts = [{ bbox: [0, 0, 10, 5] as CocoBox, score: 1, area: 50 }];
    const gts = [
      { bbox: [0, 0, 10, 10] as CocoBox, area: 100, iscrowd: 0 as const }, // 50 / (100 + 50 - 50)
      { bbox: [0, 0, 10, 10] as CocoBox, area: 100, iscrowd: 1 as const }, // 50 / 50
      { bbox: [10, 0, 10, 10] as CocoBox, area: 100, iscrowd: 0 as const }, // touching edge: 0
    ];
    expect([...bboxIou(dts, gts)]).toEqual([0.5, 1, 0]);
  });
});

describe('evaluateCoco edge cases (expected stats worked out by hand)', () => {
  // Stat order: AP, AP50, AP75, AP small, medium, large, AR1, AR10, AR100, AR small, medium, large.

  it('empty detections: AP and AR 0, -1 where no gt is in the area range', () => {
    // One small (area 100) and one medium (2500) gt, no large one. Every curve has no points:
    // precision 0 at all recall points, recall 0; the large range has no counted gt -> -1.
    const gt = groundTruth([gtBox(1, 1, [0, 0, 10, 10]), gtBox(1, 1, [20, 20, 50, 50])]);
    expectStats(evaluateCoco(gt, []).stats, [0, 0, 0, 0, 0, -1, 0, 0, 0, 0, 0, -1]);
  });

  it('a category without ground truth is left out, whatever its detections', () => {
    // Class 1: one large gt found exactly -> tp 1, fp 0: precision 1/(1+eps) everywhere, recall 1.
    // Class 2 is listed but has no gt: precision -1, so its false positive (score 0.95) is ignored.
    // Class 3 is not listed at all: its detection is skipped.
    const gt = groundTruth([gtBox(1, 1, [0, 0, 100, 100])], [1], [1, 2]);
    const hit = det(1, 1, [0, 0, 100, 100], 0.9);
    const result = evaluateCoco(gt, [hit, det(1, 2, [300, 300, 100, 100], 0.95), det(1, 3, [0, 0, 100, 100], 0.99)]);
    expectStats(result.stats, [ONE, ONE, ONE, -1, -1, ONE, 1, 1, 1, -1, -1, 1]);
    expect(result.stats).toEqual(evaluateCoco(gt, [hit]).stats);
    expect(result.skippedDetections).toBe(1);
    const [c1, c2] = result.perClass;
    expect(c1).toMatchObject({ categoryId: 1, name: 'class1', gtCount: 1, crowdCount: 0, dtCount: 1 });
    expect(c1!.ap).toBeCloseTo(1, 12);
    expect(c1!.ap50).toBeCloseTo(1, 12);
    expect(c2).toEqual({ categoryId: 2, name: 'class2', ap: -1, ap50: -1, gtCount: 0, crowdCount: 0, dtCount: 1 });
  });

  describe('crowd regions', () => {
    // gt A [0,0,100,100] (large); crowd C [200,0,100,100]. Detections by score:
    // d3 0.95 inside C (IoU 1600/1600 = 1) -> matched to crowd, ignored;
    // d1 0.90 on A -> tp; d2 0.80 inside C -> crowd matches again, ignored.
    // tp cum [0,1,1], fp cum [0,0,0]: rc [0,1,1], pr [0, 1/(1+eps), 1/(1+eps)], envelope lifts
    // pr[0]; every recall point samples ONE. AR: 1 gt found = 1, but with 1 detection per image
    // only d3 (ignored) is kept -> AR1 = 0. Small and medium: A is out of range -> no gt, -1.
    const crowd = gtBox(1, 1, [200, 0, 100, 100], { iscrowd: 1 });
    const dets = [det(1, 1, [0, 0, 100, 100], 0.9), det(1, 1, [210, 10, 50, 50], 0.8), det(1, 1, [250, 50, 40, 40], 0.95)];

    it('detections on a crowd region are ignored, not false positives', () => {
      const gt = groundTruth([gtBox(1, 1, [0, 0, 100, 100]), crowd]);
      const result = evaluateCoco(gt, dets);
      expectStats(result.stats, [ONE, ONE, ONE, -1, -1, ONE, 0, 1, 1, -1, -1, 1]);
      expect(result.perClass[0]).toMatchObject({ gtCount: 1, crowdCount: 1, dtCount: 3 });
    });

    it('without the crowd region the same detections are false positives', () => {
      // d3 fp, d1 tp, d2 fp: rc [0,1,1], pr [0, 1/2, 1/3] -> envelope [1/2, 1/2, 1/3]:
      // every recall point samples 1/2 -> AP 0.5; AR1 = 0 (d3 is a miss), AR10 = AR100 = 1.
      // In the large range d3 (1600 px²) and d2 (2500 px²) are unmatched and too small, so they
      // are ignored there and large AP stays ONE.
      const gt = groundTruth([gtBox(1, 1, [0, 0, 100, 100])]);
      expectStats(evaluateCoco(gt, dets).stats, [0.5, 0.5, 0.5, -1, -1, ONE, 0, 1, 1, -1, -1, 1]);
    });
  });

  describe('more than 100 detections on one image', () => {
    // One small gt [0,0,10,10]; false positives at [500,500,10,10] (also small).
    const fps = (n: number, top: number) => Array.from({ length: n }, (_, i) => det(1, 1, [500, 500, 10, 10], top - i * 0.001));
    const gt = groundTruth([gtBox(1, 1, [0, 0, 10, 10])]);

    it('counts the true positive ranked 100th', () => {
      // 99 fps above it, 50 below (dropped). At rank 100: tp 1, fp 99 -> pr 1/100, rc 1; envelope
      // gives 0.01 at every recall point -> AP 0.01. AR100 = 1, but AR1 = AR10 = 0.
      const dets = [...fps(99, 0.99), det(1, 1, [0, 0, 10, 10], 0.5), ...fps(50, 0.1)];
      expectStats(evaluateCoco(gt, dets).stats, [0.01, 0.01, 0.01, 0.01, -1, -1, 0, 0, 1, 1, -1, -1]);
    });

    it('drops the true positive ranked 101st', () => {
      // Only the top 100 (all fps) are kept: precision 0, recall 0 everywhere.
      const dets = [det(1, 1, [0, 0, 10, 10], 0.05), ...fps(100, 0.99)];
      expectStats(evaluateCoco(gt, dets).stats, [0, 0, 0, 0, -1, -1, 0, 0, 0, 0, -1, -1]);
    });
  });

  describe('ties in score keep a stable order', () => {
    const gt = groundTruth([gtBox(1, 1, [0, 0, 10, 10])]);
    const tp = det(1, 1, [0, 0, 10, 10], 0.8);
    const fp = det(1, 1, [50, 50, 10, 10], 0.8);

    it('within an image, file order decides', () => {
      // fp then tp: rc [0,1], pr [0,1/2] -> envelope 1/2 everywhere -> AP 0.5.
      expect(evaluateCoco(gt, [fp, tp]).stats[0]).toBe(0.5);
      // tp then fp: rc [1,1], pr [1/(1+eps), 1/2] -> every recall point samples index 0 -> AP ONE.
      expect(evaluateCoco(gt, [tp, fp]).stats[0]).toBe(ONE);
    });

    it('across images, ascending image id decides (not file order)', () => {
      // Images listed as [2, 1]; one small gt each. Image 1 has the fp, image 2 the tp, both 0.8,
      // and the tp comes first in the file. Merged order: image 1's fp, then image 2's tp:
      // rc [0, 1/2], pr [0, 1/2] -> envelope [1/2, 1/2]. Recall points 0..0.50 (51 of 101) sample
      // 1/2, points 0.51..1 are beyond the last recall -> 0. AP = 51 * 0.5 / 101 = 25.5 / 101.
      const gt2 = groundTruth([gtBox(2, 1, [0, 0, 10, 10]), gtBox(1, 1, [0, 0, 10, 10])], [2, 1]);
      const result = evaluateCoco(gt2, [det(2, 1, [0, 0, 10, 10], 0.8), det(1, 1, [50, 50, 10, 10], 0.8)]);
      expect(result.imageIds).toEqual([1, 2]);
      expect(result.stats[0]).toBe(25.5 / 101);
      expect(result.stats[8]).toBe(0.5);
    });
  });

  it('a perfect detector scores 1 everywhere', () => {
    // One gt per image and class, every size range covered, each found exactly. Where two tps
    // share a curve the envelope lifts the first to 1; a lone tp gives 1/(1+eps) (within 1e-12).
    const gts = [
      gtBox(1, 1, [0, 0, 10, 10]), // small
      gtBox(1, 2, [0, 0, 200, 200]), // large
      gtBox(2, 1, [10, 10, 50, 50]), // medium
      gtBox(2, 2, [300, 300, 20, 20]), // small
      gtBox(3, 1, [5, 5, 120, 90]), // large
    ];
    const dets = gts.map((g, i) => det(g.image_id, g.category_id, g.bbox, 0.3 + 0.1 * i));
    const result = evaluateCoco(groundTruth(gts, [1, 2, 3], [1, 2]), dets);
    expectStats(result.stats, Array(12).fill(1));
    expect(result.perClass.map((c) => c.ap)).toEqual([1, 1]);
  });

  it('uses the gt area field with inclusive bounds, and ignores unmatched detections outside the range', () => {
    // gt area 1024 = 32^2 counts as small and as medium. A large fp [100,100,200,200] outranks
    // the tp: in "all" fp,tp -> AP 0.5; in small and medium the fp is unmatched and out of range,
    // so ignored -> ONE; in large there is no gt -> -1.
    const gt = groundTruth([gtBox(1, 1, [0, 0, 40, 40], { area: 1024 })]);
    const dets = [det(1, 1, [100, 100, 200, 200], 0.9), det(1, 1, [0, 0, 40, 40], 0.8)];
    expectStats(evaluateCoco(gt, dets).stats, [0.5, 0.5, 0.5, ONE, ONE, -1, 0, 1, 1, 1, 1, -1]);
  });

  it('matches at IoU exactly equal to the threshold', () => {
    // IoU 50 / (100 + 50 - 50) = 0.5: a tp at 0.50 only. AP50 = ONE, AP = ONE / 10, AP75 = 0,
    // AR = 1 / 10 (recall 1 at one of ten thresholds).
    const gt = groundTruth([gtBox(1, 1, [0, 0, 10, 10])]);
    const result = evaluateCoco(gt, [det(1, 1, [0, 0, 10, 5], 0.9)]);
    expectStats(result.stats, [ONE / 10, ONE, 0, ONE / 10, -1, -1, 0.1, 0.1, 0.1, 0.1, -1, -1]);
    expect(result.precisionAt(0, 0, 0, 0, 2)).toBe(ONE);
    expect(result.precisionAt(1, 0, 0, 0, 2)).toBe(0);
    expect(() => result.precisionAt(10, 0, 0, 0, 0)).toThrow(RangeError);
  });

  it('rejects detections on images the ground truth does not have', () => {
    const gt = groundTruth([gtBox(1, 1, [0, 0, 10, 10])]);
    const run = () => evaluateCoco(gt, [det(7, 1, [0, 0, 10, 10], 0.9), det(7, 1, [0, 0, 5, 5], 0.8)]);
    expect(run).toThrow(CocoDataError);
    expect(run).toThrow('2 detection(s) are on images not in the ground truth: image_id 7');
  });

  it('rejects annotation id 0 and duplicate annotation ids', () => {
    const a = gtBox(1, 1, [0, 0, 10, 10]);
    expect(() => evaluateCoco(groundTruth([{ ...a, id: 0 }]), [])).toThrow('annotation id 0');
    expect(() => evaluateCoco(groundTruth([a, { ...a }]), [])).toThrow(`duplicate annotation ids: ${a.id}`);
  });

  it('evaluates a subset of images and categories', () => {
    // Only image 2 and class 1: its one gt is found -> ONE; image 1's miss does not count.
    const gt = groundTruth([gtBox(1, 1, [0, 0, 10, 10]), gtBox(2, 1, [0, 0, 10, 10]), gtBox(2, 2, [0, 0, 10, 10])], [1, 2], [1, 2]);
    const result = evaluateCoco(gt, [det(2, 1, [0, 0, 10, 10], 0.9)], { imageIds: [2], categoryIds: [1] });
    expect(result.stats[0]).toBe(ONE);
    expect(result.categoryIds).toEqual([1]);
    expect(() => evaluateCoco(gt, [], { imageIds: [9] })).toThrow('options.imageIds not in the ground truth: 9');
  });
});
