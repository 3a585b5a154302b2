import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Detector } from '../detector.ts';
import { loadModelCard, type ModelCard } from '../model-card.ts';
import { resolveModel } from '../model-catalog.ts';
import { iou } from '../nms.ts';
import { loadImageFile } from '../preprocess/image-file.ts';
import { sha256Hex } from '../onnx-session.ts';
import { cacheFeatures, cacheMosaics, cacheSyntheticSmoke, type CachedImage } from './feature-cache.ts';
import { FeatureExtractor, type FeatureTap } from './feature-extractor.ts';
import { headDetections } from './head-evaluation.ts';
import type { LabelledDataset } from '../evaluation/dataset-types.ts';
import { loadYoloDataset } from '../evaluation/yolo-dataset.ts';
import { trainDetector, type TrainOptions, type TrainResult } from './train-detector.ts';
import { TrainingInputError } from './training-errors.ts';

const DATA = join(import.meta.dirname, '..', '..', 'test-fixtures', 'datasets', 'garbage-mini');
const dir = mkdtempSync(join(tmpdir(), 'gw-train-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let base: ModelCard;
let first: TrainResult;
const options = (out: string, extra: Partial<TrainOptions> = {}): TrainOptions => ({
  data: DATA, base, out: join(dir, out), id: 'garbage-test', epochs: 4, seed: 7, batchImages: 2, ...extra,
});
const onnxSha = (r: TrainResult): string => sha256Hex(readFileSync(r.model.onnxPath));

/** Runs `check` with a head-tap extractor of the base model and the fixture's training images with their plain cached features. */
async function withTrainCache(check: (extractor: FeatureExtractor, trainSet: LabelledDataset, plain: CachedImage[]) => Promise<void>): Promise<void> {
  const extractor = await FeatureExtractor.load(base, 1, 'head');
  try {
    const trainSet = await loadYoloDataset(join(DATA, 'images', 'train'), { names: join(DATA, 'data.yaml') });
    await check(extractor, trainSet, await cacheFeatures(trainSet, extractor));
  } finally {
    await extractor.close();
  }
}

beforeAll(async () => {
  base = await resolveModel('picodet-s-416-coco');
  first = await trainDetector(options('first'));
});

describe('gridworker train on eight fixture photos', () => {
  it('lowers the loss epoch after epoch and reports validation AP each epoch', () => {
    const losses = first.history.map((h) => h.loss);
    expect(losses).toHaveLength(4);
    expect(losses[3]!).toBeLessThan(losses[0]! * 0.8);
    expect(first.history.every((h) => h.valAp50 !== null && h.valAp50 >= 0)).toBe(true);
    expect(first.trainImages).toBe(8);
  });

  it('exports one ONNX file whose card (sha256, labels, data licence) the detector loads, and which detects what the head scored', async () => {
    const card = await loadModelCard(first.model.cardPath);
    expect(card.sha256).toBe(onnxSha(first));
    expect(card.labels).toEqual(['garbage', 'garbage_bin', 'overflow']);
    expect(card.outputs.slice(0, 4).map((o) => o.shape[2])).toEqual([3, 3, 3, 3]);
    expect(card.training?.dataLicence).toContain('CC BY 4.0');
    expect(card.training?.validation?.images).toBe(3);
    expect(readFileSync(join(dir, 'first', card.licence.file!), 'utf8')).toContain('project-shb1t');

    await expectGraphMatchesHead(first, 'head');
  });

  it('tuned-pointwise: the grafted separate class branch gives what the tuned head scored', async () => {
    const tuned = await trainDetector(options('tuned', { method: 'tuned-pointwise', epochs: 3, negativeKeep: 0.5 }));
    expect(tuned.head.hidden).toBe(96);
    expect(tuned.history.at(-1)!.loss).toBeLessThan(tuned.history[0]!.loss);
    const card = await loadModelCard(tuned.model.cardPath);
    expect(card.training?.method).toMatch(/^tuned-pointwise/);
    await expectGraphMatchesHead(tuned, 'pointwise');
  });

  it('tuned-tower: the grafted depthwise + pointwise class branch gives what the tuned head scored', async () => {
    const tower = await trainDetector(options('tower', { method: 'tuned-tower', epochs: 3, negativeKeep: 0.5, tunedRate: 1 }));
    expect(tower.head.kernel).toBe(5);
    expect(tower.history.at(-1)!.loss).toBeLessThan(tower.history[0]!.loss);
    const card = await loadModelCard(tower.model.cardPath);
    expect(card.training?.method).toMatch(/^tuned-tower: .*depthwise 5x5 conv.*tuned at 1x the rate/);
    await expectGraphMatchesHead(tower, 'depthwise');
  });

  it('tuned-full-tower: the grafted copy of the whole tower gives what the tuned head scored', async () => {
    const full = await trainDetector(options('full-tower', { method: 'tuned-full-tower', epochs: 3, negativeKeep: 0.5, tunedRate: 1 }));
    expect(full.head.front).toBe(true);
    expect(full.history.at(-1)!.loss).toBeLessThan(full.history[0]!.loss);
    const card = await loadModelCard(full.model.cardPath);
    expect(card.training?.method).toMatch(/^tuned-full-tower: .*the first 5x5 depthwise/);
    await expectGraphMatchesHead(full, 'tower');
  });

  it('--flip trains on the mirrored copies too: a different head from the same seed, the loss still falls, the card says so', async () => {
    const flipped = await trainDetector(options('flipped', { horizontalFlip: true }));
    expect(flipped.trainImages).toBe(8);
    expect(flipped.history.at(-1)!.loss).toBeLessThan(flipped.history[0]!.loss * 0.8);
    expect(onnxSha(flipped)).not.toBe(onnxSha(first));
    expect((await loadModelCard(flipped.model.cardPath)).training?.method).toMatch(/mirrored left to right/);
  });

  it('--mosaic caches mosaics of four training images as extra images: a different head from the same seed, the loss still falls, the card says so, a checkpoint without them is another run', async () => {
    const mosaic = await trainDetector(options('mosaic', { mosaic: 1, epochs: 2 }));
    expect(mosaic.trainImages).toBe(8);
    expect(mosaic.history.at(-1)!.loss).toBeLessThan(mosaic.history[0]!.loss);
    expect(onnxSha(mosaic)).not.toBe(onnxSha(await trainDetector(options('no-mosaic', { epochs: 2 }))));
    expect((await loadModelCard(mosaic.model.cardPath)).training?.method).toMatch(/1 mosaic per training image/);
    await expect(trainDetector(options('no-mosaic', { resume: true, epochs: 2, mosaic: 1 }))).rejects.toThrow(/different run/);
    await expect(trainDetector(options('jitter-alone', { colourJitter: true }))).rejects.toThrow(TrainingInputError);
  });

  it('caches each mosaic as its own image: new features, the labels of its four images, the same again with the same seed', async () => {
    await withTrainCache(async (extractor, trainSet, plain) => {
      const mosaics = await cacheMosaics(trainSet, extractor, 1, 7);
      expect(mosaics.map((m) => m.imageId)).toEqual(plain.map((p) => p.imageId));
      mosaics.forEach((m, i) => expect(m.features).not.toEqual(plain[i]!.features));
      expect(mosaics.reduce((n, m) => n + m.gtCount, 0)).toBeGreaterThan(plain.reduce((n, p) => n + p.gtCount, 0) * 2);
      const again = await cacheMosaics(trainSet, extractor, 1, 7);
      again.forEach((m, i) => expect(m.features).toEqual(mosaics[i]!.features));
      expect((await cacheMosaics(trainSet, extractor, 1, 8))[0]!.features).not.toEqual(mosaics[0]!.features);
      const jittered = await cacheMosaics(trainSet, extractor, 1, 7, () => {}, { colourJitter: true });
      expect(jittered.map((m) => m.gtCount)).toEqual(mosaics.map((m) => m.gtCount));
      jittered.forEach((m, i) => expect(m.features).not.toEqual(mosaics[i]!.features));
    });
  });

  it('--synthetic-smoke caches a copy of each image with 1-2 plumes labelled as the named class: new features, the image\'s labels plus the plumes, the same again with the same seed; the card says so; an unknown class is refused', async () => {
    await withTrainCache(async (extractor, trainSet, plain) => {
      const smoked = await cacheSyntheticSmoke(trainSet, extractor, 0, 7);
      expect(smoked.length).toBeGreaterThan(plain.length / 2);
      for (const s of smoked) {
        const own = plain.find((p) => p.imageId === s.imageId)!;
        expect(s.features).not.toEqual(own.features);
        expect(s.gtCount - own.gtCount).toBeGreaterThanOrEqual(1);
        expect(s.gtCount - own.gtCount).toBeLessThanOrEqual(2);
      }
      const again = await cacheSyntheticSmoke(trainSet, extractor, 0, 7);
      again.forEach((s, i) => expect(s.features).toEqual(smoked[i]!.features));
    });
    const trained = await trainDetector(options('smoke', { syntheticSmoke: 'garbage', epochs: 2 }));
    expect(trained.history.at(-1)!.loss).toBeLessThan(trained.history[0]!.loss);
    expect(onnxSha(trained)).not.toBe(onnxSha(await trainDetector(options('no-smoke', { epochs: 2 }))));
    expect((await loadModelCard(trained.model.cardPath)).training?.method).toMatch(/synthetic smoke plumes labelled garbage/);
    await expect(trainDetector(options('no-smoke', { resume: true, epochs: 2, syntheticSmoke: 'garbage' }))).rejects.toThrow(/different run/);
    await expect(trainDetector(options('unknown-class', { syntheticSmoke: 'smoke' }))).rejects.toThrow(/"smoke" is not one of the dataset's classes \(garbage, garbage_bin, overflow/);
  });

  it('is deterministic with a seed, and the seed matters', async () => {
    const again = await trainDetector(options('again'));
    expect(onnxSha(again)).toBe(onnxSha(first));
    expect(again.history.map((h) => h.loss)).toEqual(first.history.map((h) => h.loss));
    const other = await trainDetector(options('other-seed', { seed: 8 }));
    expect(onnxSha(other)).not.toBe(onnxSha(first));
  });

  it('resumes from its checkpoint after an interruption and ends where an uninterrupted run ends', async () => {
    const stop = new Error('interrupted');
    await expect(
      trainDetector(options('resumed'), { epoch: (r) => { if (r.epoch === 2) throw stop; } }),
    ).rejects.toBe(stop);
    const resumedAt: number[] = [];
    const resumed = await trainDetector(options('resumed', { resume: true }), { resumed: (e) => resumedAt.push(e) });
    expect(resumedAt).toEqual([2]);
    expect(resumed.history.map((h) => h.loss)).toEqual(first.history.map((h) => h.loss));
    expect(onnxSha(resumed)).toBe(onnxSha(first));
  });

  it('--ema scores and exports the moving average of the weights: the graph gives what the averaged head scores, the last step stays in the checkpoint, a resumed run ends the same', async () => {
    const stop = new Error('interrupted');
    await expect(trainDetector(options('ema', { weightAverage: 0.9 }), { epoch: (r) => { if (r.epoch === 2) throw stop; } })).rejects.toBe(stop);
    await expect(trainDetector(options('ema', { resume: true }))).rejects.toThrow(/different run/);
    const averaged = await trainDetector(options('ema', { weightAverage: 0.9, resume: true }));
    const uninterrupted = await trainDetector(options('ema-whole', { weightAverage: 0.9 }));
    expect(onnxSha(averaged)).toBe(onnxSha(uninterrupted));
    // The same steps as the plain run (same losses), other exported weights.
    expect(averaged.history.map((h) => h.loss)).toEqual(first.history.map((h) => h.loss));
    expect(onnxSha(averaged)).not.toBe(onnxSha(first));
    const checkpoint = JSON.parse(readFileSync(join(dir, 'ema', 'checkpoint.json'), 'utf8')) as { params: number[]; average: number[] };
    expect(Array.from(averaged.head.params)).toEqual(Array.from(Float32Array.from(checkpoint.average)));
    expect(checkpoint.params).toEqual(Array.from(first.head.params));
    expect(averaged.validation!.ap50).toBe(averaged.history.at(-1)!.valAp50);
    // An average of trained steps, not the untrained start: it scores about what the last step does.
    expect(averaged.history.at(-1)!.valAp50!).toBeGreaterThan(first.history.at(-1)!.valAp50! * 0.8);
    expect((await loadModelCard(averaged.model.cardPath)).training?.method).toMatch(/moving average of every step's \(decay 0\.9/);
    await expectGraphMatchesHead(averaged, 'head');
    await expect(trainDetector(options('bad-ema', { weightAverage: 1 }))).rejects.toThrow(/decay must be in \(0, 1\), got 1/);
  });

  it('refuses a checkpoint of another run and a base model without a GFL head', async () => {
    await expect(trainDetector(options('resumed', { resume: true, seed: 9 }))).rejects.toThrow(/different run/);
    const fastest = await resolveModel('fastestdet-352-coco');
    await expect(trainDetector(options('bad-base', { base: fastest }))).rejects.toThrow(TrainingInputError);
  });
});

/**
 * The grafted graph, run by the real runtime through the card (sha256 checked), must give what
 * training's own decode of the cached features gives: same boxes, same scores (to float rounding).
 */
async function expectGraphMatchesHead(trained: TrainResult, tap: FeatureTap): Promise<void> {
  const card = await loadModelCard(trained.model.cardPath);
  const detector = await Detector.load(card);
  const extractor = await FeatureExtractor.load(base, 1, tap);
  try {
    const valSet = await loadYoloDataset(join(DATA, 'images', 'val'), { names: join(DATA, 'data.yaml') });
    const cached = await cacheFeatures(valSet, extractor);
    const expected = await headDetections(trained.head, extractor.grid, cached, { scoreThreshold: 0.05 });
    let compared = 0;
    for (const image of valSet.images) {
      const { detections } = await detector.detect(await loadImageFile(image.path), { scoreThreshold: 0.05 });
      const want = expected.filter((r) => r.image_id === image.id);
      expect(detections.items.length).toBe(want.length);
      for (const d of detections.items) {
        const box = (r: (typeof want)[number]): number[] => [r.bbox[0], r.bbox[1], r.bbox[0] + r.bbox[2], r.bbox[1] + r.bbox[3]];
        const match = want.find((w) => w.category_id === d.classId && Math.abs(w.score - d.score) < 1e-4 && iou(d.box, box(w)) > 0.999);
        expect(match, `${d.label} ${d.score} at ${d.box.map(Math.round).join(',')}`).toBeDefined();
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(0);
  } finally {
    await detector.close();
    await extractor.close();
  }
}
