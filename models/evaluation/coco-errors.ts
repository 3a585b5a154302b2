import { ModelError } from '../errors.ts';

/** A COCO ground-truth or results file cannot be read or is not JSON. */
export class CocoFileError extends ModelError {
  override readonly code = 'COCO_FILE_UNREADABLE';
}

/** COCO data breaks the format or does not fit the ground truth it is evaluated against. */
export class CocoDataError extends ModelError {
  override readonly code = 'COCO_DATA_INVALID';
}
