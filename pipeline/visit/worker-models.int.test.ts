import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelDroppedError } from '../../models/errors.ts';
import { loadImageFile } from '../../models/preprocess/image-file.ts';
import { parseConfig } from '../config/load-config.ts';
import { WorkerModels } from './worker-models.ts';

const image = join(import.meta.dirname, '..', '..', 'test-fixtures', 'coco', 'images', '000000000641.jpg');
const cam = (id: string, model: string): string => `  - { id: ${id}, name: ${id}, url: "rtsp://h/${id}", areaType: street, grid: g1, priority: key, detectors: [${model}] }`;
const config = (...cameras: string[]) => parseConfig(['redis: { url: "redis://127.0.0.1:6379", prefix: t }', 'cameras:', ...cameras].join('\n'), 'test.yaml');
const until = async (done: () => boolean): Promise<void> => {
  while (!done()) await new Promise((r) => setImmediate(r));
};

describe('WorkerModels: a model a reload drops waits for the visits holding it', () => {
  it('a visit holding a dropped model keeps detecting with it until it releases; then the model goes and its calls are refused typed; a reload naming it again first keeps it', async () => {
    const both = config(cam('a', 'fastestdet-352-coco'), cam('b', 'picodet-s-416-fire-smoke'));
    const onlyFire = config(cam('b', 'picodet-s-416-fire-smoke'));
    const models = await WorkerModels.load(both, { modelDirs: [], processes: 1 });
    try {
      const frame = await loadImageFile(image);
      const camA = both.cameras.find((c) => c.id === 'a')!;
      const visit = await models.detectors(camA, new Set());
      const [fastest] = visit.active;
      const want = (await fastest!.detect(frame)).detections;
      expect(want.items.length).toBeGreaterThan(0);

      // Dropped by a reload while the visit holds it: out of service at once, still loaded for the visit.
      const change = await models.apply(onlyFire);
      expect(change.unloaded).toEqual(['fastestdet-352-coco']);
      expect(models.cards.map((c) => c.id)).toEqual(['picodet-s-416-fire-smoke']);
      expect((await fastest!.detect(frame)).detections).toEqual(want);
      expect(models.set.has('fastestdet-352-coco')).toBe(true);
      // The same config again drops nothing more.
      expect((await models.apply(onlyFire)).unloaded).toEqual([]);

      // The visit done: the model is released, a late call through it is refused by name.
      visit.release?.();
      visit.release?.();
      await until(() => !models.set.has('fastestdet-352-coco'));
      const late = await fastest!.detect(frame).catch((e: unknown) => e);
      expect(late).toBeInstanceOf(ModelDroppedError);
      expect((late as Error).message).toContain('"fastestdet-352-coco"');

      // Named again while a visit holds it after a drop: it stays loaded (not loaded a second time).
      await models.apply(both);
      const again = await models.detectors(camA, new Set());
      await models.apply(onlyFire);
      const back = await models.apply(both);
      expect(back.loaded).toEqual([]);
      again.release?.();
      await models.settled();
      await models.settled();
      expect(models.set.has('fastestdet-352-coco')).toBe(true);
      expect(models.cards.map((c) => c.id).sort()).toEqual(['fastestdet-352-coco', 'picodet-s-416-fire-smoke']);
      expect((await (await models.detectors(camA, new Set())).active[0]!.detect(frame)).detections).toEqual(want);
    } finally {
      await models.close();
    }
  });
});
