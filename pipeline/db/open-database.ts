import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { createLogger } from '../log.ts';
import { describeDatabaseUrl, parseDatabaseUrl } from './database-url.ts';
import type { Database } from './db-schema.ts';
import { toDatabaseError } from './database-error-map.ts';
import { type MigrationReport, migrateToLatest } from './migrate.ts';
import { lockEmbeddedDir } from './embedded-lock.ts';
import { PgliteDialect } from './pglite-dialect.ts';
import { type ChannelSignal, type DbListener, listenEmbedded, listenOnServer } from './db-listener.ts';

/** Where the record lives. */
export interface OpenDatabaseOptions {
  /** A PostgreSQL URL (postgres://user:password@host:port/db). Wins over `embeddedDir`. */
  readonly url?: string;
  /** Folder of the embedded PGlite database when there is no `url`. Neither: an in-memory PGlite (tests). */
  readonly embeddedDir?: string;
  /** Run the migrations before handing the database over. Default true. */
  readonly migrate?: boolean;
  /** Pool size for a PostgreSQL server. Default 10. */
  readonly poolSize?: number;
  /** Connect timeout for a PostgreSQL server, ms. Default 5000. */
  readonly connectTimeoutMs?: number;
}

/** An open record: the typed query builder, what it is, and close(). */
export interface DatabaseHandle {
  /** The typed Kysely instance. */
  readonly db: Kysely<Database>;
  /** `postgres` (a server) or `embedded` (PGlite in this process). */
  readonly kind: 'postgres' | 'embedded';
  /** Printable location: "host:port/db" or the embedded folder (never a password). */
  readonly where: string;
  /** What the start-up migration did (absent when `migrate: false`). */
  readonly migration?: MigrationReport;
  /**
   * LISTENs on a channel (see db-listener.ts): `notify` for each notification, `reset` whenever
   * some may have been missed. Close the listener before the handle.
   */
  listen(channel: string, onSignal: (s: ChannelSignal) => void): Promise<DbListener>;
  /** Closes the pool / the embedded database. Safe to call twice. */
  close(): Promise<void>;
}

const INT8_OID = 20;
// Epoch ms and counts fit well inside 2^53: int8 as a number, not a string (pg) or bigint (PGlite).
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

/**
 * Opens the record: PostgreSQL when `url` is given, otherwise the embedded PGlite database in
 * `embeddedDir`. Proves the connection with one query and runs the migrations (unless told not
 * to). A server that does not answer is a DatabaseUnreachableError naming host:port; one that
 * refuses (password, missing database) a DatabaseRefusedError.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  const { db, kind, where, release, listen } = options.url ? openServer(options.url, options) : await openEmbedded(options.embeddedDir);
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      try {
        await db.destroy();
      } finally {
        await release?.();
      }
    })());
  try {
    await db.selectNoFrom((eb) => eb.lit(1).as('one')).execute();
    const migration = options.migrate === false ? undefined : await migrateToLatest(db);
    return { db, kind, where, ...(migration ? { migration } : {}), listen, close };
  } catch (err) {
    await close().catch(() => undefined);
    throw toDatabaseError(err, where);
  }
}

type Listen = DatabaseHandle['listen'];

function openServer(url: string, options: OpenDatabaseOptions): { db: Kysely<Database>; kind: 'postgres'; where: string; release?: () => Promise<void>; listen: Listen } {
  parseDatabaseUrl(url);
  const where = describeDatabaseUrl(url);
  const log = createLogger('db');
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    types: pgTypes,
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', (err) => log.warn({ err: err.message, where }, 'idle PostgreSQL connection failed'));
  // A client checked out of the pool (inside a transaction, between its statements) that loses its
  // server emits 'error' on the client, not the pool: without a listener that is an uncaught
  // exception and the process dies. Its next statement fails with the reason, so nothing to do here.
  pool.on('connect', (client) => client.on('error', () => {}));
  const listen: Listen = (channel, onSignal) =>
    listenOnServer(url, channel, onSignal, (err) => log.warn({ err: err.message, where, channel }, 'LISTEN connection failed'));
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), kind: 'postgres', where, listen };
}

async function openEmbedded(dir: string | undefined): Promise<{ db: Kysely<Database>; kind: 'embedded'; where: string; release?: () => Promise<void>; listen: Listen }> {
  let release: (() => Promise<void>) | undefined;
  if (dir) {
    await mkdir(dir, { recursive: true });
    release = await lockEmbeddedDir(dir);
  }
  const pglite = new PGlite(dir, { parsers: { [INT8_OID]: (v: string) => Number(v) } });
  const db = new Kysely<Database>({ dialect: new PgliteDialect(pglite) });
  const listen: Listen = (channel, onSignal) => listenEmbedded(pglite, db, channel, onSignal);
  return { db, kind: 'embedded', where: dir ?? '(in memory)', ...(release ? { release } : {}), listen };
}
