import { DatabaseConfigError } from './db-errors.ts';

/** Where a PostgreSQL URL points, safe to print: "host:port/database" (no user, no password). */
export function describeDatabaseUrl(url: string): string {
  const u = parseDatabaseUrl(url);
  const db = u.pathname.replace(/^\//, '') || '(default database)';
  return `${u.hostname || 'localhost'}:${u.port || '5432'}/${db}`;
}

/** Parses a postgres:// or postgresql:// URL; a DatabaseConfigError (without the URL's secrets) otherwise. */
export function parseDatabaseUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new DatabaseConfigError('DATABASE_URL is not a URL (expected postgres://user:password@host:port/database)');
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new DatabaseConfigError(`DATABASE_URL must start with postgres:// or postgresql://, got ${u.protocol}//`);
  }
  return u;
}
