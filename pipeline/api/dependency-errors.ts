/**
 * A dependency away (the record's PostgreSQL, Redis) becomes a plain 503 that says which one and
 * to try again; the driver's own error (ECONNREFUSED, ioredis's retry settings, host and port)
 * stays in the cause, which the error middleware logs and never answers.
 */
import { DatabaseRefusedError, DatabaseUnreachableError } from '../db/db-errors.ts';
import { toDatabaseError } from '../db/database-error-map.ts';
import { type ApiError, unavailable } from './api-errors.ts';

/** True for errors that mean Redis is not reachable (as opposed to a bug or a Redis reply error). */
export function isRedisDown(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as NodeJS.ErrnoException).code;
  return (
    err.name === 'MaxRetriesPerRequestError' ||
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'ETIMEDOUT' ||
    /Connection is closed|Stream isn't writeable|max retries per request|connect ECONNREFUSED/i.test(err.message)
  );
}

/** The plain 503 for `err` when it means the record or Redis is away; undefined for any other error. */
export function unavailableFor(err: unknown, what: string): ApiError | undefined {
  const db = toDatabaseError(err, 'the record');
  if (db instanceof DatabaseUnreachableError || db instanceof DatabaseRefusedError) return unavailable(`cannot ${what}: the record (PostgreSQL) is not reachable; try again shortly`, err);
  if (isRedisDown(err)) return unavailable(`cannot ${what}: Redis is not reachable; try again shortly`, err);
  return undefined;
}
