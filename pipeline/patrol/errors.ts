/**
 * Typed errors of the patrol scheduler. Each has a stable `code` and, where an HTTP API would
 * return it, a `statusCode`.
 */
export class PatrolError extends Error {
  readonly code: string = 'PATROL_ERROR';
  readonly statusCode: number = 500;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The camera list or plan handed to the scheduler is inconsistent (duplicate id, bad time, bad zone). */
export class PatrolPlanError extends PatrolError {
  override readonly code = 'PATROL_PLAN_INVALID';
  override readonly statusCode = 400;
}

/** A command named a camera the scheduler does not know. */
export class UnknownCameraError extends PatrolError {
  override readonly code = 'PATROL_UNKNOWN_CAMERA';
  override readonly statusCode = 404;
  constructor(readonly cameraId: string) {
    super(`unknown camera "${cameraId}"`);
  }
}
