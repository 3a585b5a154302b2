import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { findClassNames } from './class-names.ts';
import type { CocoAnnotation, CocoImage } from './coco-types.ts';
import { imageSize, labelPathFor, listImages, mapLimited } from './dataset-files.ts';
import { DatasetError } from './dataset-errors.ts';
import type { DatasetImage, DatasetWarning, LabelledDataset } from './dataset-types.ts';
import { parseYoloLabels } from './yolo-labels.ts';

/** Options for reading a YOLO-format dataset folder. */
export interface YoloDatasetOptions {
  /** A names file (one per line) or data.yaml; default: found in the folder (see findClassNames). */
  readonly names?: string;
  /** Use only the first N images in path order. Default: all. */
  readonly limit?: number;
}

/** What reading one image and its labels gave. */
type ImageOutcome =
  | { readonly ok: true; readonly path: string; readonly width: number; readonly height: number; readonly labelText: string | null; readonly warnings: DatasetWarning[] }
  | { readonly ok: false; readonly warnings: DatasetWarning[] };

async function readImage(path: string): Promise<ImageOutcome> {
  let size: { width: number; height: number };
  try {
    size = await imageSize(path);
  } catch (err) {
    return { ok: false, warnings: [{ file: path, problem: `unreadable image, skipped: ${(err as Error).message.split('\n')[0]}` }] };
  }
  const labelPath = labelPathFor(path);
  try {
    return { ok: true, path, ...size, labelText: await readFile(labelPath, 'utf8'), warnings: [] };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: true, path, ...size, labelText: null, warnings: [] };
    return { ok: false, warnings: [{ file: labelPath, problem: `unreadable label file (${code ?? String(err)}), image skipped` }] };
  }
}

/**
 * Reads a YOLO-format dataset: images anywhere under `dir` (typically `images/` or
 * `images/<split>/`), labels mirrored under `labels/` as `class cx cy w h` normalised lines.
 * Converted to a COCO ground truth: image ids 1..N in path order, category id = class index,
 * annotation ids from 1, boxes in pixels of the displayed (EXIF-oriented) image, iscrowd 0, and
 * area = box width x height in pixels (YOLO labels carry no masks, so the COCO small / medium /
 * large split uses box areas, which are larger than the mask areas COCO's own files use).
 * An image without a label file has no objects; unreadable images and malformed label lines are
 * skipped and reported as warnings.
 */
export async function loadYoloDataset(dir: string, options: YoloDatasetOptions = {}): Promise<LabelledDataset> {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new DatasetError(`dataset folder ${dir} does not exist`);
  const { names, source } = await findClassNames(root, options.names);
  const found = await listImages(root);
  if (!found.length) throw new DatasetError(`no images (.jpg, .png, ...) under ${dir}`);
  const paths = options.limit === undefined ? found : found.slice(0, options.limit);
  const outcomes = await mapLimited(paths, 8, readImage);

  const images: DatasetImage[] = [];
  const cocoImages: CocoImage[] = [];
  const annotations: CocoAnnotation[] = [];
  const warnings: DatasetWarning[] = [];
  let imagesWithoutLabels = 0;
  let skippedLabelLines = 0;
  for (const o of outcomes) {
    warnings.push(...o.warnings);
    if (!o.ok) continue;
    const id = images.length + 1;
    images.push({ id, path: o.path });
    cocoImages.push({ id, file_name: o.path, width: o.width, height: o.height });
    if (o.labelText === null) {
      imagesWithoutLabels++;
      continue;
    }
    const { objects, problems } = parseYoloLabels(o.labelText, names.length, o.width, o.height);
    skippedLabelLines += problems.length;
    for (const p of problems) warnings.push({ file: labelPathFor(o.path), line: p.line, problem: `${p.problem}; line skipped` });
    for (const obj of objects) {
      annotations.push({ id: annotations.length + 1, image_id: id, category_id: obj.classId, bbox: obj.bbox, area: obj.bbox[2] * obj.bbox[3], iscrowd: 0 });
    }
  }
  return {
    format: 'yolo',
    source: root,
    namesSource: source,
    groundTruth: { images: cocoImages, annotations, categories: names.map((name, i) => ({ id: i, name })) },
    images,
    imagesFound: found.length,
    imagesWithoutLabels,
    skippedImages: outcomes.filter((o) => !o.ok).length,
    skippedLabelLines,
    warnings,
  };
}
