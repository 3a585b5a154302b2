import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelIntegrityError } from './errors.ts';
import { loadModelCard } from './model-card.ts';
import { resolveModel } from './model-catalog.ts';
import { loadModelSet } from './model-set.ts';
import { loadImageFile } from './preprocess/image-file.ts';

const image = join(import.meta.dirname, '..', 'test-fixtures', 'coco', 'images', '000000000641.jpg');

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
