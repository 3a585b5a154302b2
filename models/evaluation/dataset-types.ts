import type { CocoGroundTruth } from './coco-types.ts';

/**
 * Something in a dataset that was skipped, never silently: an unreadable image, a malformed
 * label line. `line` is 1-based and present for problems inside a text file.
 */
export interface DatasetWarning {
  readonly file: string;
  readonly line?: number;
  readonly problem: string;
}

/** One image to run models on; `id` is its image id in the ground truth. */
export interface DatasetImage {
  readonly id: number;
  /** Absolute path of the image file. */
  readonly path: string;
}

/**
 * A labelled dataset in memory, whatever its format on disk: a COCO ground truth plus where each
 * of its images is. Only images that could be read are in `images` and in the ground truth.
 */
export interface LabelledDataset {
  readonly format: 'yolo' | 'coco';
  /** The folder or json file the user named. */
  readonly source: string;
  /** Where the class names came from (a names file, data.yaml, the COCO json). */
  readonly namesSource: string;
  readonly groundTruth: CocoGroundTruth;
  readonly images: readonly DatasetImage[];
  /** Images found on disk before --limit. */
  readonly imagesFound: number;
  /** Images with no label file: counted as images with no objects (YOLO only). */
  readonly imagesWithoutLabels: number;
  readonly skippedImages: number;
  readonly skippedLabelLines: number;
  readonly warnings: readonly DatasetWarning[];
}

/** "file:line: problem" (or "file: problem" without a line). */
export function formatWarning(w: DatasetWarning): string {
  return `${w.file}${w.line === undefined ? '' : `:${w.line}`}: ${w.problem}`;
}
