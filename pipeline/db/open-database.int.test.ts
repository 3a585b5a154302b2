import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseConfigError, DatabaseRefusedError, DatabaseUnreachableError } from './db-errors.ts';
import { migrateTo, migrateToLatest } from './migrate.ts';
import { MIGRATIONS } from './migrations/migration-list.ts';
import { type DatabaseHandle, openDatabase } from './open-database.ts';
import { type ScratchDatabase, TEST_SERVER_URL, createScratchDatabase } from './scratch-database.ts';
import { CaseStore } from '../cases/case-store.ts';
import { startOwnPostgres } from '../../test-fixtures/lib/own-postgres.ts';
import { TEST_TYPES } from '../cases/case-test-fixtures.ts';

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

const ALL = Object.keys(MIGRATIONS);

describe.each(['postgres', 'embedded'] as const)('openDatabase on %s', (kind) => {
  let scratch: ScratchDatabase | undefined;
  let dir: string;
  const open = (migrate = true): Promise<DatabaseHandle> =>
    openDatabase(kind === 'postgres' ? { url: scratch!.url, migrate } : { embeddedDir: join(dir, 'db'), migrate });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gw-db-'));
    if (kind === 'postgres') scratch = await createScratchDatabase(TEST_SERVER_URL, 'db');
  });
  afterAll(async () => {
    await scratch?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('migrates an empty database, then finds nothing to do, and keeps rows across a reopen', async () => {
    const h = await open();
    expect(h.kind).toBe(kind);
    expect(h.migration?.applied).toEqual(ALL);
    await h.db.insertInto('units').values({ id: 'u1', name: 'Community 1', level: 'community', parent_id: null, created_at: 1_764_000_000_123 }).execute();
    await h.close();
    await h.close();

    const again = await open();
    expect(again.migration?.applied).toEqual([]);
    expect(again.migration?.current).toBe(ALL.at(-1));
    const row = await again.db.selectFrom('units').selectAll().where('id', '=', 'u1').executeTakeFirstOrThrow();
    // int8 comes back as a number, exactly.
    expect(row.created_at).toBe(1_764_000_000_123);
    const n = await again.db.selectFrom('units').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(n.n).toBe(1);
    await again.close();
  });

  it('rolls a failed transaction back and keeps concurrent transactions apart', async () => {
    const h = await open();
    await expect(
      h.db.transaction().execute(async (tx) => {
        await tx.insertInto('units').values({ id: 'u-tx', name: 'x', level: 'district', parent_id: null, created_at: 1 }).execute();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await h.db.selectFrom('units').select('id').where('id', '=', 'u-tx').executeTakeFirst()).toBeUndefined();

    // Ten transactions that each read-modify-write one counter: none may lose another's update.
    await h.db.insertInto('camera_memory').values({ camera_id: 'ctr', memory: '0', updated_at: 0 }).execute();
    await Promise.all(
      Array.from({ length: 10 }, () =>
        h.db.transaction().execute(async (tx) => {
          const r = await tx.selectFrom('camera_memory').select('updated_at').where('camera_id', '=', 'ctr').forUpdate().executeTakeFirstOrThrow();
          await tx.updateTable('camera_memory').set({ updated_at: r.updated_at + 1 }).where('camera_id', '=', 'ctr').execute();
        }),
      ),
    );
    const r = await h.db.selectFrom('camera_memory').select('updated_at').where('camera_id', '=', 'ctr').executeTakeFirstOrThrow();
    expect(r.updated_at).toBe(10);
    await h.close();
  });

  it('brings a database left at the first migration (the previous release) to the newest', async () => {
    const fresh = kind === 'postgres' ? await createScratchDatabase(TEST_SERVER_URL, 'db') : undefined;
    const h = await openDatabase(fresh ? { url: fresh.url, migrate: false } : { embeddedDir: join(dir, 'old'), migrate: false });
    try {
      await migrateTo(h.db, ALL[0]!);
      await h.db.insertInto('units').values({ id: 'old', name: 'old unit', level: 'community', parent_id: null, created_at: 5 }).execute();
      const report = await migrateToLatest(h.db);
      expect(report.applied).toEqual(ALL.slice(1));
      expect(report.current).toBe(ALL.at(-1));
      const tables = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables where table_name = 'cases'`.execute(h.db);
      expect(tables.rows[0]?.n).toBe(1);
      expect((await h.db.selectFrom('units').select('name').executeTakeFirstOrThrow()).name).toBe('old unit');
    } finally {
      await h.close();
      await fresh?.drop();
    }
  });
});

describe.each(['postgres', 'embedded'] as const)('a record made by the release before this one, on %s', (kind) => {
  it('keeps its cases through the new migrations: each gets its API text, the list shows them as a read does', async () => {
    const fresh = kind === 'postgres' ? await createScratchDatabase(TEST_SERVER_URL, 'db') : undefined;
    const h = await openDatabase(fresh ? { url: fresh.url, migrate: false } : { migrate: false });
    try {
      // The previous release's newest migration; then two cases as it wrote them (one decided).
      await migrateTo(h.db, '0002-identity');
      const box = '[{"label":"car","score":0.8,"box":[0.1,0.5,0.3,0.7]}]';
      for (const [id, status, pending] of [['c_000000001_000000000a', 'dispatched', true], ['c_000000002_000000000b', 'rejected', false]] as const) {
        await sql`
          insert into cases (id, version, event_type, category, severity, camera_id, grid, area_type, zone, status, active, pending,
            opened_at, first_seen_at, last_seen_at, sighting_count, confidence, boxes, place, model, rule_id, responsible_unit,
            deadline_at, dispatched_at, closed_at, evidence)
          values (${id}, 2, 'illegal_parking', 'A01-03', 'medium', 'cam-1', 'g1', 'street', null, ${status}, ${status !== 'rejected'}, ${pending},
            1000, 900, 1100, 3, 0.8, ${box}::jsonb, '[0.1,0.5,0.3,0.7]'::jsonb, 'm@1', 'parking', 'Traffic police',
            8200, 1050, ${status === 'rejected' ? 1200 : null}, '{"first":"a.jpg","latest":"b.jpg","best":"b.jpg"}'::jsonb)`.execute(h.db);
      }
      await sql`insert into verdicts (case_id, verdict, reason, correct_type, note, by, at) values ('c_000000002_000000000b', 'rejected', 'duplicate', null, 'seen', 'w1', 1200)`.execute(h.db);
      const report = await migrateToLatest(h.db);
      expect(report.applied).toEqual(ALL.slice(ALL.indexOf('0002-identity') + 1));
      const store = new CaseStore(h.db, { eventType: (id) => TEST_TYPES.find((t) => t.id === id) });
      const typed = await store.list();
      expect(typed.cases.map((c) => [c.id, c.status, c.verdict?.by ?? null])).toEqual([
        ['c_000000001_000000000a', 'dispatched', null],
        ['c_000000002_000000000b', 'rejected', 'w1'],
      ]);
      expect(typed.cases[0]!.zone).toBeNull();
      expect(JSON.parse((await store.listJson()).cases)).toEqual(typed.cases);
    } finally {
      await h.close();
      await fresh?.drop();
    }
  });
});

describe('the embedded database is one process\'s', () => {
  it('refuses a second opener while held, names the holder, and takes over a lock left by a dead process', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gw-db-lock-'));
    try {
      const first = await openDatabase({ embeddedDir: dir });
      const err = await openDatabase({ embeddedDir: dir }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DatabaseConfigError);
      expect((err as Error).message).toContain(`in use by process ${process.pid}`);
      await first.close();
      // A dead process's lock (pid 2^22 + 1 is above Linux's pid_max default range in use here).
      await writeFile(join(dir, 'gridworker.pid'), '4194305');
      const again = await openDatabase({ embeddedDir: dir });
      await again.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('openDatabase errors', () => {
  it('names host:port and never the password when nobody listens', async () => {
    const port = await freePort();
    const err = await openDatabase({ url: `postgres://gw:s3cret-pw@127.0.0.1:${port}/gw`, connectTimeoutMs: 2000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseUnreachableError);
    expect((err as DatabaseUnreachableError).code).toBe('DB_UNREACHABLE');
    expect((err as Error).message).toContain(`127.0.0.1:${port}/gw`);
    expect((err as Error).message).not.toContain('s3cret-pw');
  });

  it('says the database does not exist when the server answers without it', async () => {
    const u = new URL(TEST_SERVER_URL);
    u.pathname = '/gw_no_such_database_9';
    const err = await openDatabase({ url: u.toString() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseRefusedError);
    expect((err as Error).message).toMatch(/gw_no_such_database_9.*does not exist/);
  });

  it('rejects a URL that is not postgres://, without echoing it', async () => {
    const err = await openDatabase({ url: 'mysql://root:hunter2@db/x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseConfigError);
    expect((err as Error).message).not.toContain('hunter2');
  });
});

describe('PostgreSQL going away in the middle of a transaction', () => {
  it('fails the transaction with an error instead of crashing the process, and works again once the server is back', async () => {
    const pgs = await startOwnPostgres(await freePort());
    const handle = await openDatabase({ url: pgs.url });
    try {
      const gone = handle.db.transaction().execute(async (trx) => {
        await sql`select 1`.execute(trx);
        await pgs.kill('immediate');
        // The checked-out connection hears the reset while no statement runs on it.
        await new Promise((r) => setTimeout(r, 300));
        await sql`select 1`.execute(trx);
      });
      await expect(gone).rejects.toThrow();
      await pgs.start();
      const { rows } = await sql<{ one: number }>`select 1 as one`.execute(handle.db);
      expect(rows).toEqual([{ one: 1 }]);
    } finally {
      await handle.close();
      await pgs.close();
    }
  });
});
