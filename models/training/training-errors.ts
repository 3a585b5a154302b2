import { ModelError } from '../errors.ts';

/** The training data, base model or options cannot be used (named in the message). */
export class TrainingInputError extends ModelError {
  override readonly code = 'TRAINING_INPUT_INVALID';
}

/** A checkpoint file is unreadable, malformed, or belongs to a different training run. */
export class CheckpointError extends ModelError {
  override readonly code = 'TRAINING_CHECKPOINT_INVALID';
}
