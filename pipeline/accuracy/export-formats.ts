import { stringify as toYaml } from 'yaml';
import type { CocoAnnotation, CocoGroundTruth, CocoImage } from '../../models/evaluation/coco-types.ts';
import type { ExportObject } from './export-selection.ts';

/** An exported image: its file name under images/, its size in pixels and its objects. */
export interface ExportedImage {
  readonly fileName: string;
  readonly width: number;
  readonly height: number;
  readonly objects: readonly ExportObject[];
}

/** Export formats `gridworker bench` reads. */
export type ExportFormat = 'yolo' | 'coco';

/** The class list of an export: every object label, sorted, so ids are stable for the same labels. */
export function exportClasses(images: readonly ExportedImage[]): string[] {
  return [...new Set(images.flatMap((i) => i.objects.map((o) => o.label)))].sort();
}

const f6 = (n: number): string => n.toFixed(6);

/** A YOLO label file: one `class cx cy w h` line (0-1) per object; empty for an image without objects. */
export function yoloLabelText(objects: readonly ExportObject[], classes: readonly string[]): string {
  return objects
    .map(({ label, box: [x1, y1, x2, y2] }) => `${classes.indexOf(label)} ${f6((x1 + x2) / 2)} ${f6((y1 + y2) / 2)} ${f6(x2 - x1)} ${f6(y2 - y1)}\n`)
    .join('');
}

/** An Ultralytics data.yaml for the export folder (train and val both the one images/ folder). */
export function yoloDataYaml(classes: readonly string[]): string {
  return toYaml({ path: '.', train: 'images', val: 'images', nc: classes.length, names: [...classes] });
}

/**
 * A COCO ground truth: image ids 1..N, category ids 1..K in class order (COCO starts at 1),
 * boxes [x, y, w, h] in pixels, area = box area (no masks), iscrowd 0.
 */
export function cocoGroundTruth(images: readonly ExportedImage[], classes: readonly string[]): CocoGroundTruth {
  const cocoImages: CocoImage[] = [];
  const annotations: CocoAnnotation[] = [];
  images.forEach((img, i) => {
    const imageId = i + 1;
    cocoImages.push({ id: imageId, file_name: img.fileName, width: img.width, height: img.height });
    for (const { label, box: [x1, y1, x2, y2] } of img.objects) {
      const bbox = [x1 * img.width, y1 * img.height, (x2 - x1) * img.width, (y2 - y1) * img.height] as const;
      annotations.push({ id: annotations.length + 1, image_id: imageId, category_id: classes.indexOf(label) + 1, bbox, area: bbox[2] * bbox[3], iscrowd: 0 });
    }
  });
  return { images: cocoImages, annotations, categories: classes.map((name, i) => ({ id: i + 1, name })) };
}
