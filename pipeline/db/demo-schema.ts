/**
 * The demo on a real PostgreSQL (`gridworker run --demo` with DATABASE_URL): its record lives in a
 * schema of its own, `gridworker_demo`, so starting clean drops that schema and nothing else: the
 * deployment's tables (in `public`, or wherever its search_path puts them) are never read, written
 * or dropped by the demo. Every connection of the demo (pool and LISTEN) gets the schema as its
 * search_path through the URL's `options`.
 */
import pg from 'pg';
import { DatabaseConfigError } from './db-errors.ts';
import { parseDatabaseUrl } from './database-url.ts';

/** The demo's schema. */
export const DEMO_SCHEMA = 'gridworker_demo';

/** The URL with every connection's search_path set to `schema` (refused if the URL sets `options` itself). */
export function urlInSchema(url: string, schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new DatabaseConfigError(`schema "${schema}" must be a lower-case SQL identifier`);
  const u = parseDatabaseUrl(url);
  if (u.searchParams.has('options')) throw new DatabaseConfigError('DATABASE_URL already sets "options"; the demo needs them for its own schema');
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

/** What prepareDemoSchema did. */
export interface DemoSchema {
  /** The URL to open the demo's record with (its schema as search_path). */
  readonly url: string;
  /** True when the last demo's schema was dropped (a clean start). */
  readonly reset: boolean;
}

/**
 * Makes the demo's schema ready on the server `url` points at: dropped first (with everything in
 * it) unless `keepState`, then created if missing. Touches no other schema.
 */
export async function prepareDemoSchema(url: string, options: { readonly keepState?: boolean } = {}): Promise<DemoSchema> {
  const demoUrl = urlInSchema(url, DEMO_SCHEMA);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  // A lost server fails the query in flight; the 'error' event pg also emits must not kill the process.
  client.on('error', () => {});
  await client.connect();
  try {
    if (!options.keepState) await client.query(`drop schema if exists ${DEMO_SCHEMA} cascade`);
    await client.query(`create schema if not exists ${DEMO_SCHEMA}`);
  } finally {
    await client.end();
  }
  return { url: demoUrl, reset: !options.keepState };
}
