/** An accuracy report option is out of range; `field` names it (e.g. "target"). */
export class AccuracyOptionError extends Error {
  readonly code = 'ACCURACY_OPTION';

  constructor(
    readonly field: string,
    /** What is wrong with it, without the field name. */
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'AccuracyOptionError';
  }
}

/** A cases file cannot be read or is not a list of cases. */
export class CaseInputError extends Error {
  readonly code = 'CASES_INVALID';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CaseInputError';
  }
}

/** An export cannot be written (output folder not empty, nothing to export). */
export class ExportError extends Error {
  readonly code = 'EXPORT_FAILED';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ExportError';
  }
}
