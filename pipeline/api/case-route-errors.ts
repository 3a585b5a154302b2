import { CaseError, CaseInputError } from '../cases/case-errors.ts';
import { ApiError, badRequest, notFound } from './api-errors.ts';
import { unavailableFor } from './dependency-errors.ts';

/**
 * Runs a case store call and turns its typed errors into API errors: CaseInputError 400 with the
 * field, CaseNotFoundError 404, CaseConflictError 409 with its own code (CASE_DECIDED names who
 * decided, CASE_CLAIMED the lease holder), the record or Redis unreachable 503. Anything else stays
 * a 500 (a bug, logged by the error middleware).
 */
export async function caseCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof CaseInputError) throw badRequest(err.field, err.message.replace(`${err.field}: `, ''));
    if (err instanceof CaseError) {
      if (err.status === 404) throw notFound(err.message.replace(/ not found$/, ''));
      if (err.status === 409) throw new ApiError(409, err.code, err.message, undefined, { cause: err });
      throw new ApiError(err.status, err.code, err.message, undefined, { cause: err });
    }
    throw unavailableFor(err, what) ?? err;
  }
}
