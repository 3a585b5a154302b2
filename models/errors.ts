/**
 * Typed errors of the detector runtime. Each has a stable `code`; the original error,
 * when there is one, is kept as `cause`.
 */
export class ModelError extends Error {
  readonly code: string = 'MODEL_ERROR';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The model card is missing, unreadable or does not match the schema. */
export class ModelCardError extends ModelError {
  override readonly code = 'MODEL_CARD_INVALID';
}

/** The model file's sha256 differs from the one the card records. */
export class ModelIntegrityError extends ModelError {
  override readonly code = 'MODEL_INTEGRITY';
}

/** The model's real inputs or outputs differ from what the card / decoder expect. */
export class ModelShapeError extends ModelError {
  override readonly code = 'MODEL_SHAPE_MISMATCH';
}

/** onnxruntime could not load the model file (corrupt, not ONNX, unsupported op). */
export class ModelLoadError extends ModelError {
  override readonly code = 'MODEL_LOAD_FAILED';
}

/** No registered decoder fits, or the card names an unknown decoder. */
export class DecoderError extends ModelError {
  override readonly code = 'DECODER_UNSUPPORTED';
}

/** An input image or frame cannot be decoded or has the wrong size. */
export class ImageInputError extends ModelError {
  override readonly code = 'IMAGE_INVALID';
}

/** A detector process died or could not be started; the frames it held are lost. */
export class DetectorProcessError extends ModelError {
  override readonly code = 'DETECTOR_PROCESS_FAILED';
}

/** A model a camera names is not loaded: it failed to resolve or load (the original error is the cause). */
export class ModelUnavailableError extends ModelError {
  override readonly code = 'MODEL_UNAVAILABLE';
}

/**
 * A detect call for a model that is being dropped (a config reload no longer names it) or is
 * closed: refused at once, while the calls made before the drop finish normally.
 */
export class ModelDroppedError extends ModelError {
  override readonly code = 'MODEL_DROPPED';
}
