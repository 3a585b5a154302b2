import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { loadCocoGroundTruth } from './coco-load.ts';
import type { CocoImage } from './coco-types.ts';
import { imageSize, mapLimited } from './dataset-files.ts';
import { DatasetError } from './dataset-errors.ts';
import type { DatasetImage, DatasetWarning, LabelledDataset } from './dataset-types.ts';

/** Options for reading a COCO ground-truth json and its images. */
export interface CocoDatasetOptions {
  /** Folder of the images' `file_name`s. Default: the json's folder, then an `images/` folder beside it. */
  readonly images?: string;
  /** Use only the first N images in image-id order. Default: all. */
  readonly limit?: number;
}

function candidateFolders(jsonPath: string, images: string | undefined): string[] {
  if (images) return [resolve(images)];
  const here = dirname(resolve(jsonPath));
  return [here, join(here, 'images'), join(dirname(here), 'images')];
}

async function checkImage(image: CocoImage, folders: readonly string[]): Promise<{ path: string } | DatasetWarning> {
  const name = image.file_name;
  if (!name) return { file: `image id ${image.id}`, problem: 'no file_name in the ground truth; image skipped' };
  const path = isAbsolute(name) ? name : folders.map((f) => join(f, name)).find((p) => existsSync(p));
  if (!path || !existsSync(path)) return { file: name, problem: `not found in ${folders.join(', ')}; image skipped` };
  try {
    const size = await imageSize(path);
    if ((image.width && image.width !== size.width) || (image.height && image.height !== size.height)) {
      return { file: path, problem: `is ${size.width}x${size.height} but the ground truth says ${image.width}x${image.height}; image skipped` };
    }
    return { path };
  } catch (err) {
    return { file: path, problem: `unreadable image, skipped: ${(err as Error).message.split('\n')[0]}` };
  }
}

/**
 * Reads a COCO instances json and finds its images. Images that are missing, unreadable, or of
 * another size than the json says are skipped with a warning, together with their annotations.
 * Category ids and names are the json's.
 */
export async function loadCocoDataset(jsonPath: string, options: CocoDatasetOptions = {}): Promise<LabelledDataset> {
  const gt = await loadCocoGroundTruth(jsonPath);
  const folders = candidateFolders(jsonPath, options.images);
  const sorted = [...gt.images].sort((a, b) => a.id - b.id);
  const chosen = options.limit === undefined ? sorted : sorted.slice(0, options.limit);
  const checks = await mapLimited(chosen, 8, (image) => checkImage(image, folders));
  const images: DatasetImage[] = [];
  const warnings: DatasetWarning[] = [];
  checks.forEach((c, i) => ('path' in c ? images.push({ id: chosen[i]!.id, path: c.path }) : warnings.push(c)));
  if (!images.length && chosen.length) {
    throw new DatasetError(`none of the ${chosen.length} images of ${jsonPath} could be read (looked in ${folders.join(', ')}); give their folder with --images`);
  }
  const kept = new Set(images.map((i) => i.id));
  return {
    format: 'coco',
    source: resolve(jsonPath),
    namesSource: resolve(jsonPath),
    groundTruth: {
      images: gt.images.filter((i) => kept.has(i.id)),
      annotations: gt.annotations.filter((a) => kept.has(a.image_id)),
      categories: gt.categories,
    },
    images,
    imagesFound: gt.images.length,
    imagesWithoutLabels: 0,
    skippedImages: chosen.length - images.length,
    skippedLabelLines: 0,
    warnings,
  };
}
