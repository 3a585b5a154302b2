import { existsSync, statSync } from 'node:fs';
import { loadCocoDataset } from './coco-dataset.ts';
import { DatasetError } from './dataset-errors.ts';
import type { LabelledDataset } from './dataset-types.ts';
import { loadYoloDataset } from './yolo-dataset.ts';

/** Options for {@link loadDataset}. */
export interface LoadDatasetOptions {
  /** YOLO only: names file or data.yaml. */
  readonly names?: string;
  /** COCO only: the images folder. */
  readonly images?: string;
  /** Use only the first N images. */
  readonly limit?: number;
}

/** Reads a dataset: a YOLO-format folder, or a COCO instances `.json` with its images. */
export async function loadDataset(path: string, options: LoadDatasetOptions = {}): Promise<LabelledDataset> {
  if (!existsSync(path)) throw new DatasetError(`dataset ${path} does not exist`);
  if (statSync(path).isDirectory()) {
    if (options.images) throw new DatasetError('--images is for a COCO json dataset; a YOLO folder finds its images itself');
    return loadYoloDataset(path, options);
  }
  if (path.toLowerCase().endsWith('.json')) {
    if (options.names) throw new DatasetError('--names is for a YOLO folder; a COCO json names its categories itself');
    return loadCocoDataset(path, options);
  }
  throw new DatasetError(`dataset ${path} is neither a folder (YOLO format) nor a COCO .json file`);
}
