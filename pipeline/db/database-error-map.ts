import { DatabaseError, DatabaseRefusedError, DatabaseUnreachableError } from './db-errors.ts';

/** Node socket errors that mean "nobody answered there". */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'EPIPE']);
/** PostgreSQL SQLSTATEs that mean "answered, but will not let us in". */
const REFUSED: Record<string, string> = {
  '28P01': 'password authentication failed',
  '28000': 'authentication rejected',
  '3D000': 'the database does not exist',
  '42501': 'permission denied',
  '57P03': 'the server is starting up or shutting down',
  '53300': 'too many connections',
};

const codeOf = (err: unknown): string | undefined => {
  if (typeof err !== 'object' || err === null) return undefined;
  const c = (err as { code?: unknown }).code;
  if (typeof c === 'string') return c;
  // AggregateError (IPv4 + IPv6 attempts): the first inner error's code.
  const inner = (err as { errors?: unknown[] }).errors?.[0];
  return inner === undefined ? undefined : codeOf(inner);
};

/**
 * Turns a driver error into a typed database error where it is about reaching the server;
 * other errors (a bad query, a constraint) pass through unchanged. The message names the place
 * (host:port/db) and never the URL (which may hold the password).
 */
export function toDatabaseError(err: unknown, where: string): unknown {
  if (err instanceof DatabaseError) return err;
  const code = codeOf(err);
  const message = err instanceof Error ? err.message : String(err);
  if (code && UNREACHABLE.has(code)) return new DatabaseUnreachableError(where, code, { cause: err });
  if (/timeout|terminated unexpectedly|Connection terminated/i.test(message)) return new DatabaseUnreachableError(where, message, { cause: err });
  if (code && REFUSED[code]) return new DatabaseRefusedError(where, REFUSED[code]!, { cause: err });
  return err;
}
