import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCocoDataset } from './coco-dataset.ts';
import { loadDataset } from './load-dataset.ts';

let dir = '';
const jpeg = (w: number, h: number) => sharp({ create: { width: w, height: h, channels: 3, background: '#000' } }).jpeg().toBuffer();
const gt = {
  images: [
    { id: 3, file_name: 'c.jpg', width: 30, height: 20 },
    { id: 1, file_name: 'a.jpg', width: 30, height: 20 },
    { id: 2, file_name: 'missing.jpg', width: 30, height: 20 },
    { id: 4, file_name: 'wrong-size.jpg', width: 30, height: 20 },
  ],
  annotations: [
    { id: 1, image_id: 1, category_id: 7, bbox: [0, 0, 5, 5], area: 20, iscrowd: 0 },
    { id: 2, image_id: 2, category_id: 7, bbox: [0, 0, 5, 5], area: 20, iscrowd: 0 },
    { id: 3, image_id: 3, category_id: 9, bbox: [0, 0, 5, 5], area: 20, iscrowd: 1 },
  ],
  categories: [{ id: 7, name: 'car' }, { id: 9, name: 'person' }],
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gw-coco-ds-'));
  mkdirSync(join(dir, 'images'));
  writeFileSync(join(dir, 'images', 'a.jpg'), await jpeg(30, 20));
  writeFileSync(join(dir, 'images', 'c.jpg'), await jpeg(30, 20));
  writeFileSync(join(dir, 'images', 'wrong-size.jpg'), await jpeg(20, 30));
  writeFileSync(join(dir, 'instances.json'), JSON.stringify(gt));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadCocoDataset', () => {
  it('finds images in images/ beside the json and keeps the json ids, categories and areas', async () => {
    const ds = await loadCocoDataset(join(dir, 'instances.json'));
    expect(ds.format).toBe('coco');
    expect(ds.images).toEqual([{ id: 1, path: join(dir, 'images', 'a.jpg') }, { id: 3, path: join(dir, 'images', 'c.jpg') }]);
    expect(ds.groundTruth.categories).toEqual(gt.categories);
    expect(ds.groundTruth.annotations.map((a) => [a.id, a.area, a.iscrowd])).toEqual([[1, 20, 0], [3, 20, 1]]);
    expect(ds.skippedImages).toBe(2);
    expect(ds.warnings.map((w) => w.problem)).toEqual([
      expect.stringContaining('not found in'),
      expect.stringContaining('is 20x30 but the ground truth says 30x20'),
    ]);
  });

  it('uses --images and --limit (first N by id)', async () => {
    const ds = await loadCocoDataset(join(dir, 'instances.json'), { images: join(dir, 'images'), limit: 1 });
    expect(ds.images.map((i) => i.id)).toEqual([1]);
    expect(ds.groundTruth.images.map((i) => i.id)).toEqual([1]);
  });

  it('fails when no image can be found', async () => {
    await expect(loadCocoDataset(join(dir, 'instances.json'), { images: '/nonexistent' })).rejects.toThrow('give their folder with --images');
  });
});

describe('loadDataset', () => {
  it('chooses the format from the path and refuses options of the other format', async () => {
    expect((await loadDataset(join(dir, 'instances.json'))).format).toBe('coco');
    await expect(loadDataset(join(dir, 'instances.json'), { names: 'x.names' })).rejects.toThrow('--names is for a YOLO folder');
    await expect(loadDataset(dir, { images: 'x' })).rejects.toThrow('--images is for a COCO json');
    await expect(loadDataset(join(dir, 'images', 'a.jpg'))).rejects.toThrow('neither a folder');
    await expect(loadDataset(join(dir, 'nope'))).rejects.toThrow('does not exist');
  });
});
