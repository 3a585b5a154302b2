import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Detector } from './detector.ts';
import { ModelDroppedError, ModelIntegrityError } from './errors.ts';
import { loadModelCard } from './model-card.ts';
import { resolveModel } from './model-catalog.ts';
import { loadModelSet } from './model-set.ts';
import { loadImageFile } from './preprocess/image-file.ts';

const image = join(import.meta.dirname, '..', 'test-fixtures', 'coco', 'images', '000000000641.jpg');
const images = ['000000000009', '000000000025', '000000000073', '000000000641'].map((id) => join(import.meta.dirname, '..', 'test-fixtures', 'coco', 'images', `${id}.jpg`));
const until = async (done: () => boolean): Promise<void> => {
  while (!done()) await new Promise((r) => setImmediate(r));
};

describe('ModelSet: models added and dropped while it runs, starting empty', () => {
  for (const processes of [1, 0]) {
    it(`${processes ? 'in a detector process' : 'on the main thread'}: no model, then one, then two, then none`, async () => {
      const [fastest, fire] = await Promise.all(['fastestdet-352-coco', 'picodet-s-416-fire-smoke'].map((id) => resolveModel(id)));
      const set = await loadModelSet([], { processes });
      try {
        expect(set.cards).toEqual([]);
        expect(set.pids).toEqual([]);
        expect(() => set.get('fastestdet-352-coco')).toThrow(/no model "fastestdet-352-coco" loaded \(loaded: none\)/);
        await set.add(fastest!);
        // The pool starts with its first model.
        expect(set.pids).toHaveLength(processes);
        await set.add(fire!);
        expect(set.cards.map((c) => c.id)).toEqual(['fastestdet-352-coco', 'picodet-s-416-fire-smoke']);
        const frame = await loadImageFile(image);
        const r = await set.get('picodet-s-416-fire-smoke').detect(frame);
        expect(r.detections.width).toBe(frame.width);
        await set.remove('fastestdet-352-coco');
        expect(set.has('fastestdet-352-coco')).toBe(false);
        expect(set.has('picodet-s-416-fire-smoke')).toBe(true);
        // The last model gone: no process is left running.
        await set.remove('picodet-s-416-fire-smoke');
        expect(set.cards).toEqual([]);
        expect(set.pids).toEqual([]);
        await set.remove('never-loaded');
      } finally {
        await set.close();
        await set.close();
      }
    });
  }

  for (const processes of [2, 0]) {
    const where = processes ? 'in detector processes' : 'on the main thread';
    it(`${where}: a dropped model drains (detects started before the drop resolve with detections, one after is refused typed), also as the last model, and can be added back while it drains`, async () => {
      const [fastest, fire] = await Promise.all(['fastestdet-352-coco', 'picodet-s-416-fire-smoke'].map((id) => resolveModel(id)));
      const [set, alone, frames] = await Promise.all([loadModelSet([fastest!, fire!], { processes }), Detector.load(fastest!), Promise.all(images.map(loadImageFile))]);
      try {
        const want = [];
        for (const f of frames) want.push((await alone.detect(f)).detections);
        expect(want.some((d) => d.items.length > 0)).toBe(true);
        const id = 'fastestdet-352-coco';

        // Dropped with eight detects started: more than the processes hold, so some wait in a queue.
        let held = set.get(id);
        let started = [...frames, ...frames].map((f) => held.detect(f));
        let removing = set.remove(id);
        await until(() => !set.has(id));
        let late = await held.detect(frames[0]!).catch((e: unknown) => e);
        await removing;
        expect((await Promise.all(started)).map((r) => r.detections)).toEqual([...want, ...want]);
        expect(late).toBeInstanceOf(ModelDroppedError);
        expect((late as Error).message).toContain(`"${id}"`);

        // Added back while it drains: the detects started before still finish, and it serves again.
        await set.add(fastest!);
        held = set.get(id);
        started = frames.map((f) => held.detect(f));
        await Promise.all([set.remove(id), set.add(fastest!)]);
        expect((await Promise.all(started)).map((r) => r.detections)).toEqual(want);
        expect(set.cards.map((c) => c.id).sort()).toEqual([id, 'picodet-s-416-fire-smoke'].sort());
        expect((await Promise.all(frames.map((f) => set.get(id).detect(f)))).map((r) => r.detections)).toEqual(want);

        // The last model: its detects finish before the processes stop.
        await set.remove('picodet-s-416-fire-smoke');
        held = set.get(id);
        started = [...frames, ...frames].map((f) => held.detect(f));
        removing = set.remove(id);
        await until(() => !set.has(id));
        late = await held.detect(frames[0]!).catch((e: unknown) => e);
        await removing;
        expect((await Promise.all(started)).map((r) => r.detections)).toEqual([...want, ...want]);
        expect(late).toBeInstanceOf(ModelDroppedError);
        expect(set.pids).toEqual([]);
      } finally {
        await Promise.all([set.close(), alone.close()]);
      }
    });
  }

  it('a model file that does not load (corrupt) is refused with its typed error and leaves the set as it was', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-model-set-'));
    const set = await loadModelSet([await resolveModel('fastestdet-352-coco')], { processes: 0 });
    try {
      const zoo = join(import.meta.dirname, 'zoo');
      const bytes = readFileSync(join(zoo, 'picodet_s_416_fire_smoke.onnx'));
      bytes[bytes.length - 100] = (bytes[bytes.length - 100] ?? 0) ^ 0xff;
      writeFileSync(join(dir, 'corrupt.onnx'), bytes);
      const card = await loadModelCard(join(zoo, 'picodet_s_416_fire_smoke.json'), join(dir, 'corrupt.onnx'));
      await expect(set.add(card)).rejects.toBeInstanceOf(ModelIntegrityError);
      expect(set.cards.map((c) => c.id)).toEqual(['fastestdet-352-coco']);
    } finally {
      await set.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
