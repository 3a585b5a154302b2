import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CocoDataError, CocoFileError } from './coco-errors.ts';
import { loadCocoEvalInputs, loadCocoGroundTruth, parseCocoGroundTruth, parseCocoResults } from './coco-load.ts';

const image = { id: 1, file_name: 'a.jpg', width: 640, height: 480, coco_url: 'http://example' };
const annotation = { id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], area: 100, iscrowd: 0, segmentation: [[0, 0]] };
const gtJson = { info: {}, images: [image], annotations: [annotation], categories: [{ id: 1, name: 'person' }] };

describe('parseCocoGroundTruth', () => {
  it('accepts a COCO file and drops keys evaluation does not use', () => {
    const gt = parseCocoGroundTruth(gtJson, 'gt.json');
    expect(gt.annotations[0]).toEqual({ id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], area: 100, iscrowd: 0 });
  });

  it.each([
    ['a missing area', { ...gtJson, annotations: [{ ...annotation, area: undefined }] }, 'annotations[0].area'],
    ['a three-number bbox', { ...gtJson, annotations: [{ ...annotation, bbox: [0, 0, 10] }] }, 'annotations[0].bbox'],
    ['a negative width', { ...gtJson, annotations: [{ ...annotation, bbox: [0, 0, -1, 10] }] }, 'box width must be >= 0'],
    ['iscrowd 2', { ...gtJson, annotations: [{ ...annotation, iscrowd: 2 }] }, 'iscrowd must be 0 or 1'],
    ['no categories', { ...gtJson, categories: [] }, 'at least one category'],
    ['an array', [], '(root)'],
  ])('names the problem for %s', (_, json, message) => {
    expect(() => parseCocoGroundTruth(json, 'gt.json')).toThrow(CocoDataError);
    expect(() => parseCocoGroundTruth(json, 'gt.json')).toThrow(message);
    expect(() => parseCocoGroundTruth(json, 'gt.json')).toThrow('COCO ground truth gt.json is invalid');
  });

  it.each([
    ['duplicate image ids', { ...gtJson, images: [image, image] }, 'duplicate image ids: 1'],
    ['duplicate annotation ids', { ...gtJson, annotations: [annotation, annotation] }, 'duplicate annotation ids: 1'],
    ['an unknown image', { ...gtJson, annotations: [{ ...annotation, image_id: 9 }] }, 'annotations on images not listed in images: 1 (image_id 9)'],
    ['an unknown category', { ...gtJson, annotations: [{ ...annotation, category_id: 9 }] }, 'categories not listed in categories: 1 (category_id 9)'],
  ])('rejects %s', (_, json, message) => {
    expect(() => parseCocoGroundTruth(json, 'gt.json')).toThrow(message);
  });

  it('lists at most ten issues', () => {
    const annotations = Array.from({ length: 30 }, (_, i) => ({ ...annotation, id: i + 1, area: 'big' }));
    expect(() => parseCocoGroundTruth({ ...gtJson, annotations }, 'gt.json')).toThrow('(+20 more issues)');
  });
});

describe('parseCocoResults', () => {
  it('accepts an empty array and scored boxes', () => {
    expect(parseCocoResults([], 'r.json')).toEqual([]);
    expect(parseCocoResults([{ image_id: 1, category_id: 1, bbox: [1, 2, 3, 4], score: 0.5, id: 7 }], 'r.json')).toEqual([
      { image_id: 1, category_id: 1, bbox: [1, 2, 3, 4], score: 0.5 },
    ]);
  });

  it('names the entry and field at fault', () => {
    expect(() => parseCocoResults([{ image_id: 1, category_id: 1, bbox: [1, 2, 3, 4] }], 'r.json')).toThrow(
      'COCO results r.json are invalid: [0].score',
    );
  });
});

describe('loading files', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'coco-load-'));
    await writeFile(join(dir, 'gt.json'), JSON.stringify(gtJson));
    await writeFile(join(dir, 'bad.json'), '{"images": [');
    await writeFile(join(dir, 'results.json'), JSON.stringify([{ image_id: 5, category_id: 1, bbox: [0, 0, 1, 1], score: 1 }]));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reports a missing file and bad JSON with the path', async () => {
    await expect(loadCocoGroundTruth(join(dir, 'none.json'))).rejects.toThrow(CocoFileError);
    await expect(loadCocoGroundTruth(join(dir, 'none.json'))).rejects.toThrow(`${join(dir, 'none.json')}: ENOENT`);
    await expect(loadCocoGroundTruth(join(dir, 'bad.json'))).rejects.toThrow(`${join(dir, 'bad.json')} is not valid JSON`);
  });

  it('names both files when detections are on images the ground truth lacks', async () => {
    await expect(loadCocoEvalInputs(join(dir, 'gt.json'), join(dir, 'results.json'))).rejects.toThrow(
      `COCO results ${join(dir, 'results.json')} do not fit ground truth ${join(dir, 'gt.json')}: 1 detection(s) are on images not in the ground truth: image_id 5`,
    );
  });
});
