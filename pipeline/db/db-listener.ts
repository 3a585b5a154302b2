/**
 * LISTEN on one channel of the record, for caches that must drop what they rendered when the data
 * changes. On a PostgreSQL server: a connection of its own (notifications need one that is not
 * returned to a pool), reconnected with back-off when it is lost. Embedded (PGlite): the one
 * connection, in this process. `reset` is signalled whenever notifications may have been missed
 * (connected, lost, reconnected): a listener then treats everything as changed.
 */
import type { PGlite } from '@electric-sql/pglite';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';

/** What a listener hears: a notification on its channel, or `reset` (some may have been missed). */
export type ChannelSignal = 'notify' | 'reset';

/** A running LISTEN. */
export interface DbListener {
  /** True while notifications arrive; false while the connection is lost (nothing is heard then). */
  readonly live: boolean;
  /** Stops listening. Safe to call twice. */
  close(): Promise<void>;
}

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

function checkChannel(channel: string): void {
  if (!CHANNEL.test(channel)) throw new Error(`channel "${channel}" must be a lower-case SQL identifier`);
}

/**
 * Listens on a PostgreSQL server through a connection of its own, reconnecting (0.2 s doubling to
 * 5 s) when it drops. Resolves once the first attempt is over (live, or retrying in the background).
 */
export async function listenOnServer(url: string, channel: string, onSignal: (s: ChannelSignal) => void, onError: (err: Error) => void): Promise<DbListener> {
  checkChannel(channel);
  let client: pg.Client | undefined;
  let live = false;
  let closed = false;
  let backoff = 200;
  let timer: NodeJS.Timeout | undefined;
  const retry = (): void => {
    if (closed) return;
    timer = setTimeout(() => void connect(), backoff);
    timer.unref();
    backoff = Math.min(backoff * 2, 5000);
  };
  const lost = (c: pg.Client, err?: Error): void => {
    if (client !== c) return;
    client = undefined;
    live = false;
    if (err) onError(err);
    onSignal('reset');
    c.end().catch(() => undefined);
    retry();
  };
  const connect = async (): Promise<void> => {
    if (closed) return;
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
    c.on('error', (err) => lost(c, err));
    c.on('end', () => lost(c));
    c.on('notification', (m) => {
      if (m.channel === channel) onSignal('notify');
    });
    try {
      await c.connect();
      await c.query(`listen ${channel}`);
      if (closed) {
        await c.end();
        return;
      }
      client = c;
      live = true;
      backoff = 200;
      onSignal('reset');
    } catch (err) {
      onError(err as Error);
      c.end().catch(() => undefined);
      retry();
    }
  };
  await connect();
  return {
    get live() {
      return live;
    },
    async close() {
      if (closed) return;
      closed = true;
      live = false;
      clearTimeout(timer);
      const c = client;
      client = undefined;
      await c?.end().catch(() => undefined);
    },
  };
}

/**
 * Listens on the embedded database. LISTEN goes through Kysely (so it never lands inside another
 * caller's transaction on the one connection); PGlite then hands notifications to this process.
 */
export async function listenEmbedded<DB>(pglite: PGlite, db: Kysely<DB>, channel: string, onSignal: (s: ChannelSignal) => void): Promise<DbListener> {
  checkChannel(channel);
  await sql`${sql.raw(`listen ${channel}`)}`.execute(db);
  const off = pglite.onNotification((ch) => {
    if (ch === channel) onSignal('notify');
  });
  let live = true;
  return {
    get live() {
      return live;
    },
    async close() {
      if (!live) return;
      live = false;
      off();
    },
  };
}
