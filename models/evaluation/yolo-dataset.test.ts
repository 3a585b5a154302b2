import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { labelPathFor } from './dataset-files.ts';
import { formatWarning } from './dataset-types.ts';
import { loadYoloDataset } from './yolo-dataset.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Writes a dataset folder: `files` maps relative paths to text, or to [width, height, orientation?] for a JPEG. */
async function dataset(files: Record<string, string | [number, number, number?]>): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-yolo-'));
  dirs.push(dir);
  for (const [rel, content] of Object.entries(files)) {
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    if (typeof content === 'string') {
      writeFileSync(path, content);
    } else {
      const [width, height, orientation] = content;
      let img = sharp({ create: { width, height, channels: 3, background: '#808080' } }).jpeg();
      if (orientation) img = img.withMetadata({ orientation });
      writeFileSync(path, await img.toBuffer());
    }
  }
  return dir;
}

describe('labelPathFor', () => {
  it('mirrors the last images/ folder under labels/ with a .txt extension, else looks beside the image', () => {
    expect(labelPathFor('/d/images/train2017/a.b.jpg')).toBe('/d/labels/train2017/a.b.txt');
    expect(labelPathFor('/images/d/images/x.PNG')).toBe('/images/d/labels/x.txt');
    expect(labelPathFor('/d/flat/x.jpg')).toBe('/d/flat/x.txt');
  });
});

describe('loadYoloDataset', () => {
  it('reads nested split folders with names from data.yaml, in path order, boxes in pixels', async () => {
    const dir = await dataset({
      'data.yaml': "names: ['fire', 'smoke']\n",
      'test/images/b.jpg': [200, 100],
      'test/labels/b.txt': '1 0.5 0.5 0.5 0.5\n0 0.25 0.25 0.1 0.2\n',
      'train/images/a.png': [40, 40],
      'train/labels/a.txt': '0 0.5 0.5 1 1',
    });
    const ds = await loadYoloDataset(dir);
    expect(ds.namesSource).toBe(join(dir, 'data.yaml'));
    expect(ds.images.map((i) => i.path)).toEqual([join(dir, 'test/images/b.jpg'), join(dir, 'train/images/a.png')]);
    expect(ds.groundTruth.categories).toEqual([{ id: 0, name: 'fire' }, { id: 1, name: 'smoke' }]);
    expect(ds.groundTruth.images.map(({ id, width, height }) => [id, width, height])).toEqual([[1, 200, 100], [2, 40, 40]]);
    expect(ds.groundTruth.annotations).toEqual([
      { id: 1, image_id: 1, category_id: 1, bbox: [50, 25, 100, 50], area: 5000, iscrowd: 0 },
      { id: 2, image_id: 1, category_id: 0, bbox: [40, 15, 20, 20], area: 400, iscrowd: 0 },
      { id: 3, image_id: 2, category_id: 0, bbox: [0, 0, 40, 40], area: 1600, iscrowd: 0 },
    ]);
    expect(ds.warnings).toEqual([]);
  });

  it('counts an image without a label file as an image with no objects', async () => {
    const dir = await dataset({ 'classes.txt': 'cat\n', 'images/a.jpg': [10, 10], 'images/b.jpg': [10, 10], 'labels/b.txt': '0 0.5 0.5 0.5 0.5\n' });
    const ds = await loadYoloDataset(dir);
    expect(ds.images).toHaveLength(2);
    expect(ds.imagesWithoutLabels).toBe(1);
    expect(ds.groundTruth.annotations.map((a) => a.image_id)).toEqual([2]);
  });

  it('reports unreadable images and malformed label lines as file:line warnings and skips them', async () => {
    const dir = await dataset({
      'x.names': 'a\nb\n',
      'images/bad.jpg': 'not a jpeg',
      'labels/bad.txt': '0 0.5 0.5 0.5 0.5\n',
      'images/good.jpg': [20, 20],
      'labels/good.txt': '0 0.5 0.5 0.5 0.5\n3 0.5 0.5 0.5 0.5\n1 0.5 0.5\n',
    });
    const ds = await loadYoloDataset(dir);
    expect(ds.images.map((i) => i.id)).toEqual([1]);
    expect(ds.groundTruth.images).toHaveLength(1);
    expect(ds.groundTruth.annotations).toHaveLength(1);
    expect(ds.skippedImages).toBe(1);
    expect(ds.skippedLabelLines).toBe(2);
    const lines = ds.warnings.map(formatWarning);
    expect(lines[0]).toMatch(new RegExp(`^${join(dir, 'images/bad.jpg')}: unreadable image, skipped`));
    expect(lines[1]).toBe(`${join(dir, 'labels/good.txt')}:2: class 3 is not a class id 0..1; line skipped`);
    expect(lines[2]).toContain(`${join(dir, 'labels/good.txt')}:3: expected "class cx cy w h"`);
  });

  it('uses the displayed size of an EXIF-rotated image', async () => {
    const dir = await dataset({ 'c.names': 'a\n', 'images/r.jpg': [40, 20, 6], 'labels/r.txt': '0 0.5 0.5 1 0.5\n' });
    const ds = await loadYoloDataset(dir);
    expect(ds.groundTruth.images[0]).toMatchObject({ width: 20, height: 40 });
    expect(ds.groundTruth.annotations[0]!.bbox).toEqual([0, 10, 20, 20]);
  });

  it('takes the first N images with limit, and says so when there are no names or no images', async () => {
    const dir = await dataset({ 'c.names': 'a\n', 'images/1.jpg': [8, 8], 'images/2.jpg': [8, 8], 'images/3.jpg': [8, 8] });
    const ds = await loadYoloDataset(dir, { limit: 2 });
    expect(ds.images.map((i) => i.path.slice(-5))).toEqual(['1.jpg', '2.jpg']);
    expect(ds.imagesFound).toBe(3);
    await expect(loadYoloDataset(await dataset({ 'images/1.jpg': [8, 8] }))).rejects.toThrow('no class names');
    await expect(loadYoloDataset(await dataset({ 'c.names': 'a\n' }))).rejects.toThrow('no images');
    await expect(loadYoloDataset('/nonexistent/ds')).rejects.toThrow('does not exist');
  });
});
