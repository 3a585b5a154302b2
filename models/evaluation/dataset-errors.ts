import { ModelError } from '../errors.ts';

/** A labelled dataset cannot be used: no images, no class names, an unreadable names file or COCO json. */
export class DatasetError extends ModelError {
  override readonly code = 'DATASET_INVALID';
}

/**
 * A model's classes do not fit the dataset's: some dataset classes have no model class and no
 * class mapping says what to do with them, or a class-map file names unknown classes.
 */
export class ClassMappingError extends ModelError {
  override readonly code = 'CLASS_MAPPING_MISMATCH';
}
