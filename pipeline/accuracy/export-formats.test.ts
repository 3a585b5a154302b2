import { describe, expect, it } from 'vitest';
import { parseDataYamlNames } from '../../models/evaluation/class-names.ts';
import { parseYoloLabels } from '../../models/evaluation/yolo-labels.ts';
import { cocoGroundTruth, exportClasses, yoloDataYaml, yoloLabelText } from './export-formats.ts';

const images = [
  { fileName: 'a.jpg', width: 200, height: 100, objects: [{ label: 'person', box: [0.1, 0.2, 0.5, 0.6] as const }, { label: 'car', box: [0, 0, 1, 1] as const }] },
  { fileName: 'b.jpg', width: 50, height: 50, objects: [] },
];

describe('export formats', () => {
  it('lists classes sorted', () => {
    expect(exportClasses(images)).toEqual(['car', 'person']);
  });

  it('writes YOLO lines the bench reader reads back', () => {
    // person [0.1, 0.2, 0.5, 0.6]: centre (0.3, 0.4), size 0.4 x 0.4.
    const text = yoloLabelText(images[0]!.objects, ['car', 'person']);
    expect(text).toBe('1 0.300000 0.400000 0.400000 0.400000\n0 0.500000 0.500000 1.000000 1.000000\n');
    const back = parseYoloLabels(text, 2, 200, 100);
    expect(back.problems).toEqual([]);
    expect(back.objects[0]).toMatchObject({ classId: 1, bbox: [expect.closeTo(20, 6), expect.closeTo(20, 6), expect.closeTo(80, 6), expect.closeTo(40, 6)] });
    expect(yoloLabelText([], ['car'])).toBe('');
    expect(parseDataYamlNames(yoloDataYaml(['car', 'person']), 'data.yaml')).toEqual(['car', 'person']);
  });

  it('writes a COCO ground truth in pixels with categories from 1', () => {
    const gt = cocoGroundTruth(images, ['car', 'person']);
    expect(gt.images).toEqual([{ id: 1, file_name: 'a.jpg', width: 200, height: 100 }, { id: 2, file_name: 'b.jpg', width: 50, height: 50 }]);
    expect(gt.categories).toEqual([{ id: 1, name: 'car' }, { id: 2, name: 'person' }]);
    // person on 200 x 100: x 20, y 20, w 80, h 40, area 3200.
    expect(gt.annotations[0]).toMatchObject({ id: 1, image_id: 1, category_id: 2, iscrowd: 0 });
    expect(gt.annotations[0]!.bbox.map((v) => Number(v.toFixed(6)))).toEqual([20, 20, 80, 40]);
    expect(gt.annotations[0]!.area).toBeCloseTo(3200, 6);
    expect(gt.annotations[1]).toMatchObject({ id: 2, category_id: 1, bbox: [0, 0, 200, 100], area: 20000 });
  });
});
