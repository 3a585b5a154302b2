import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readYoloLabels } from '../test-fixtures/lib/yolo-labels.ts';
import { Detector } from './detector.ts';
import { resolveModel } from './model-catalog.ts';
import { iou } from './nms.ts';
import { loadImageFile } from './preprocess/image-file.ts';

const fixtures = join(import.meta.dirname, '..', 'test-fixtures', 'coco');

// Clear, large objects (label box >= 8 % of the image) each shipped model must find with IoU >= 0.5.
const cases: Record<string, readonly string[]> = {
  // (PicoDet calls the dog in 000000000042 a teddy bear, so it is only in FastestDet's list.)
  'picodet-s-416-coco': ['000000000009', '000000000025', '000000000036', '000000000073', '000000000641'],
  'fastestdet-352-coco': ['000000000025', '000000000042', '000000000073', '000000000641'],
};

describe.each(Object.entries(cases))('%s on real COCO images', (modelId, images) => {
  let detector: Detector;
  beforeAll(async () => {
    detector = await Detector.load(await resolveModel(modelId));
  });
  afterAll(async () => {
    await detector.close();
  });

  it.each(images)('finds the large labelled objects in %s', async (id) => {
    const frame = await loadImageFile(join(fixtures, 'images', `${id}.jpg`));
    const { detections } = await detector.detect(frame, { scoreThreshold: 0.25 });
    const large = readYoloLabels(join(fixtures, 'labels', `${id}.txt`), frame.width, frame.height).filter((l) => l.areaFraction >= 0.08);
    expect(large.length).toBeGreaterThan(0);
    for (const want of large) {
      const best = Math.max(0, ...detections.items.filter((d) => d.classId === want.classId).map((d) => iou(d.box, want.box)));
      expect(best, `class ${want.classId} box ${want.box.map(Math.round)} in ${id}`).toBeGreaterThanOrEqual(0.5);
    }
    for (const d of detections.items) {
      expect(d.box[0]).toBeGreaterThanOrEqual(0);
      expect(d.box[1]).toBeGreaterThanOrEqual(0);
      expect(d.box[2]).toBeLessThanOrEqual(frame.width);
      expect(d.box[3]).toBeLessThanOrEqual(frame.height);
      expect(d.score).toBeGreaterThanOrEqual(0.25);
    }
  });
});

describe('PicoDet-S-416 reference sample', () => {
  it('finds bowl ~0.93 and broccoli ~0.84 on COCO 000000000009 (MODELS.md)', async () => {
    const detector = await Detector.load(await resolveModel(undefined));
    try {
      const { detections } = await detector.detect(await loadImageFile(join(fixtures, 'images', '000000000009.jpg')));
      const best = (label: string): number => Math.max(0, ...detections.items.filter((d) => d.label === label).map((d) => d.score));
      expect(best('bowl')).toBeCloseTo(0.93, 1);
      expect(best('broccoli')).toBeCloseTo(0.84, 1);
    } finally {
      await detector.close();
    }
  });
});

describe('the strip-initializer-inputs load fix', () => {
  it('changes speed, not detections: PicoDet with and without it agree', async () => {
    const card = await resolveModel('picodet-s-416-coco');
    expect(card.loadFixes).toEqual(['strip-initializer-inputs']);
    const fixed = await Detector.load(card);
    const plain = await Detector.load({ ...card, loadFixes: [] });
    try {
      const frame = await loadImageFile(join(fixtures, 'images', '000000000641.jpg'));
      const a = (await fixed.detect(frame)).detections.items;
      const b = (await plain.detect(frame)).detections.items;
      expect(a.length).toBeGreaterThan(3);
      expect(a.map((d) => d.label)).toEqual(b.map((d) => d.label));
      a.forEach((d, i) => {
        expect(d.score).toBeCloseTo(b[i]!.score, 4);
        d.box.forEach((v, j) => expect(v).toBeCloseTo(b[i]!.box[j]!, 1));
      });
    } finally {
      await fixed.close();
      await plain.close();
    }
  });
});

describe('detect calls made at once', () => {
  it('give each frame its own detections, the same as one after the other', async () => {
    const detector = await Detector.load(await resolveModel(undefined));
    try {
      const ids = ['000000000009', '000000000025', '000000000036', '000000000073', '000000000641'];
      const frames = await Promise.all(ids.map((id) => loadImageFile(join(fixtures, 'images', `${id}.jpg`))));
      const one = async (i: number): Promise<string> => JSON.stringify((await detector.detect(frames[i]!, { scoreThreshold: 0.2 })).detections.items);
      const sequential: string[] = [];
      for (let i = 0; i < frames.length; i++) sequential.push(await one(i));
      const atOnce = await Promise.all(frames.map((_, i) => one(i)));
      expect(atOnce).toEqual(sequential);
    } finally {
      await detector.close();
    }
  });
});
