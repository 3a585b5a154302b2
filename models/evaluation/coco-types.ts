/**
 * Shapes of the COCO object-detection JSON files the evaluator reads: a ground-truth file
 * (`instances_*.json`) and a results file (a JSON array of scored boxes). Field names follow the
 * COCO format exactly (snake_case) so parsed files can be used as they are. Keys the bbox
 * evaluation does not use (segmentation, info, licenses, ...) may be present and are ignored.
 */

/** A COCO box: [x, y, width, height] in image pixels, (x, y) the top-left corner. */
export type CocoBox = readonly [x: number, y: number, width: number, height: number];

/** One image of the ground truth. Only `id` matters to evaluation. */
export interface CocoImage {
  /** Image id; annotations and results refer to it. */
  readonly id: number;
  readonly file_name?: string;
  /** Image width in pixels. */
  readonly width?: number;
  /** Image height in pixels. */
  readonly height?: number;
}

/** One ground-truth object. */
export interface CocoAnnotation {
  /** Annotation id, unique in the file and non-zero (pycocotools treats id 0 as "no match"). */
  readonly id: number;
  readonly image_id: number;
  readonly category_id: number;
  /** [x, y, width, height] in pixels. */
  readonly bbox: CocoBox;
  /**
   * Object area in square pixels; decides the small / medium / large split. In COCO files it is
   * the segmentation mask's area, not the box's, and evaluation uses it as given.
   */
  readonly area: number;
  /** 1 for a crowd region: never a miss, and detections on it are ignored rather than false. */
  readonly iscrowd: 0 | 1;
}

/** One object category. */
export interface CocoCategory {
  readonly id: number;
  readonly name: string;
  readonly supercategory?: string;
}

/** A COCO ground-truth file. */
export interface CocoGroundTruth {
  readonly images: readonly CocoImage[];
  readonly annotations: readonly CocoAnnotation[];
  /** The categories evaluated: every one listed here, whether or not it has annotations. */
  readonly categories: readonly CocoCategory[];
}

/** One detection of a COCO results file. */
export interface CocoResult {
  /** Must be an image of the ground truth. */
  readonly image_id: number;
  /** Detections of a category not in the ground truth's `categories` are not evaluated. */
  readonly category_id: number;
  /** [x, y, width, height] in pixels; its area (width * height) decides the area range. */
  readonly bbox: CocoBox;
  /** Confidence; higher ranks first, ties keep file order. */
  readonly score: number;
}
