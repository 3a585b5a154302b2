import type { Verdict } from './case-model.ts';

/** Base of the case store's errors: a stable code and the HTTP status an API answers with. */
export abstract class CaseError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
}

/** No case has this id (HTTP 404). */
export class CaseNotFoundError extends CaseError {
  readonly code = 'CASE_NOT_FOUND';
  readonly status = 404;
  constructor(readonly caseId: string) {
    super(`case "${caseId}" not found`);
    this.name = 'CaseNotFoundError';
  }
}

/** The request conflicts with the case's state, e.g. handling a case nobody accepted (HTTP 409). */
export class CaseConflictError extends CaseError {
  readonly code: string = 'CASE_CONFLICT';
  readonly status = 409;
  constructor(message: string) {
    super(message);
    this.name = 'CaseConflictError';
  }
}

/** The case already has a verdict by someone (HTTP 409); `decidedBy` names who. */
export class CaseDecidedError extends CaseConflictError {
  override readonly code = 'CASE_DECIDED';
  readonly decidedBy: string;
  constructor(readonly caseId: string, readonly decided: Verdict) {
    super(`case ${caseId} was already decided ${decided.verdict}${decided.reason ? ` (${decided.reason})` : ''} by ${decided.by} at ${new Date(decided.at).toISOString()}`);
    this.name = 'CaseDecidedError';
    this.decidedBy = decided.by;
  }
}

/** Someone else holds a live claim on the case (HTTP 409); names the holder and when the lease ends. */
export class CaseClaimedError extends CaseConflictError {
  override readonly code = 'CASE_CLAIMED';
  constructor(readonly caseId: string, readonly holder: string, readonly expiresAt: number) {
    super(`case ${caseId} is claimed by ${holder} until ${new Date(expiresAt).toISOString()}`);
    this.name = 'CaseClaimedError';
  }
}

/** An input to a case operation is invalid; `field` names it (HTTP 400). */
export class CaseInputError extends CaseError {
  readonly code = 'CASE_INPUT';
  readonly status = 400;
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'CaseInputError';
  }
}

/**
 * A repeat sighting of case `caseId` could not be written (HTTP 503): its group commit failed and
 * so did writing it on its own (`cause`), e.g. the record is unreachable. Nothing of it was
 * acknowledged; the next visit sights the thing again.
 */
export class RepeatWriteError extends CaseError {
  readonly code = 'CASE_REPEAT_WRITE';
  readonly status = 503;
  constructor(readonly caseId: string, reason: string, cause?: unknown) {
    super(`repeat sighting of case ${caseId} not written: ${reason}`, cause === undefined ? undefined : { cause });
    this.name = 'RepeatWriteError';
  }
}

/** Too many concurrent writers changed the same case (or group) while this one retried (HTTP 503). */
export class CaseContentionError extends CaseError {
  readonly code = 'CASE_CONTENTION';
  readonly status = 503;
  constructor(what: string, attempts: number) {
    super(`${what}: still changed by other writers after ${attempts} attempts; try again`);
    this.name = 'CaseContentionError';
  }
}
