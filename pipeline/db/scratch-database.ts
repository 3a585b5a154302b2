import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server tests use: TEST_DATABASE_URL, else the local trust-auth PostgreSQL. */
export const TEST_SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A database made for one test file on the test server; drop() removes it (safe to call twice). */
export interface ScratchDatabase {
  /** URL of the new database. */
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

const withAdmin = async <T>(serverUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> => {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
};

/**
 * Creates a database with a random name (`gw_test_<hex>`) on a PostgreSQL server, so parallel test
 * files and helpers sharing one server never see each other's rows. For tests and benchmarks.
 */
export async function createScratchDatabase(serverUrl: string = TEST_SERVER_URL, label = 'test'): Promise<ScratchDatabase> {
  const name = `gw_${label}_${randomBytes(6).toString('hex')}`;
  await withAdmin(serverUrl, (c) => c.query(`create database ${name}`));
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  let dropping: Promise<void> | undefined;
  return {
    url: u.toString(),
    name,
    drop: () =>
      (dropping ??= withAdmin(serverUrl, async (c) => {
        await c.query(`drop database if exists ${name} with (force)`);
      })),
  };
}
