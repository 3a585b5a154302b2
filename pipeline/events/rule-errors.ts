/** Typed errors of the rules. Each has a stable `code`; the original error, if any, is the `cause`. */
export class RuleError extends Error {
  readonly code: string = 'RULE_ERROR';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A camera names a rule id that is not in the rule set (a validated config never does). */
export class UnknownRuleError extends RuleError {
  override readonly code = 'RULE_UNKNOWN';
}

/** A camera names a rule that cannot run on it: no zone of its kinds, or outside its area types / cameras. */
export class RuleNotApplicableError extends RuleError {
  override readonly code = 'RULE_NOT_APPLICABLE';
}

/** A stored camera memory does not parse (corrupt, or from an incompatible version). */
export class CameraMemoryError extends RuleError {
  override readonly code = 'CAMERA_MEMORY_INVALID';
}
