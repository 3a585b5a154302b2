/**
 * `gridworker run --demo` with DATABASE_URL, the real process: the demo's record lives in schema
 * gridworker_demo of that database, reset at each start, and the deployment's `public` schema is
 * never touched. (demo-schema.int.test.ts holds the same at function level.)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CaseStore } from '../../pipeline/cases/case-store.ts';
import { TEST_TYPES, testContext, testEvent } from '../../pipeline/cases/case-test-fixtures.ts';
import { DEMO_SCHEMA } from '../../pipeline/db/demo-schema.ts';
import { type DatabaseHandle, openDatabase } from '../../pipeline/db/open-database.ts';
import { type ScratchDatabase, createScratchDatabase } from '../../pipeline/db/scratch-database.ts';
import { type LocalRedis, startLocalRedis } from '../../pipeline/distributed/local-redis.ts';
import { GRIDWORKER_BIN, PROJECT_ROOT } from '../../test-fixtures/lib/run-cli.ts';

/** A running `gridworker run --demo` and what it printed so far. */
interface DemoRun {
  readonly child: ChildProcess;
  readonly out: () => string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

function startDemo(redisUrl: string, databaseUrl: string): DemoRun {
  const child = spawn(process.execPath, [GRIDWORKER_BIN, 'run', '--demo', '--port', '0', '--redis', redisUrl, '--no-progress'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    out: () => out,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

describe('gridworker run --demo on a real PostgreSQL (DATABASE_URL)', () => {
  let redis: LocalRedis;
  let scratch: ScratchDatabase;
  let record: DatabaseHandle;
  let run: DemoRun | undefined;

  beforeAll(async () => {
    redis = await startLocalRedis();
    scratch = await createScratchDatabase(undefined, 'demo_e2e');
    // The deployment's own record, in public, with a case in it.
    record = await openDatabase({ url: scratch.url, poolSize: 2 });
    await new CaseStore(record.db, { eventType: (id) => TEST_TYPES.find((t) => t.id === id) }).openOrUpdate(testEvent(), testContext());
  });
  afterAll(async () => {
    await run?.stop();
    await record?.close();
    await scratch?.drop();
    await redis?.close();
  });

  /** Everything in `public`: its tables and the rows of the ones the demo would write. */
  const publicState = async () => ({
    tables: (await sql<{ t: string }>`select table_name as t from information_schema.tables where table_schema = 'public' order by 1`.execute(record.db)).rows.map((r) => r.t),
    cases: await record.db.withSchema('public').selectFrom('cases').selectAll().orderBy('id').execute(),
    audit: await record.db.withSchema('public').selectFrom('case_audit').selectAll().orderBy('id').execute(),
    outbox: await record.db.withSchema('public').selectFrom('outbox').selectAll().orderBy('id').execute(),
  });
  const demoCaseIds = async (): Promise<string[]> => {
    const r = await sql<{ id: string }>`select id from ${sql.table(`${DEMO_SCHEMA}.cases`)} order by id`.execute(record.db).catch(() => ({ rows: [] }));
    return r.rows.map((x) => x.id);
  };
  const untilDemoCase = (demo: DemoRun, except: readonly string[] = []) =>
    vi.waitFor(
      async () => {
        if (demo.child.exitCode !== null) throw new Error(`the demo exited (${demo.child.exitCode}):\n${demo.out().slice(-2000)}`);
        const fresh = (await demoCaseIds()).filter((id) => !except.includes(id));
        if (fresh.length === 0) throw new Error('no demo case yet');
        return fresh;
      },
      { timeout: 120_000, interval: 250 },
    );

  it('opens cases in its own schema, starts clean again after SIGTERM, and never touches public', async () => {
    const before = await publicState();

    run = startDemo(redis.url, scratch.url);
    const first = await untilDemoCase(run);
    expect(run.out()).toContain(`demo: record in schema ${DEMO_SCHEMA} of`);
    expect(run.out()).toContain('(reset)');
    expect(await run.stop()).toBe(0);
    expect(run.out()).toMatch(/SIGTERM: stopping/);

    run = startDemo(redis.url, scratch.url);
    // Once it runs, the last demo's cases are gone (the schema was dropped and migrated again)...
    await vi.waitFor(
      () => {
        if (run!.child.exitCode !== null) throw new Error(`the demo exited (${run!.child.exitCode}):\n${run!.out().slice(-2000)}`);
        expect(run!.out()).toContain('gridworker running:');
      },
      { timeout: 60_000, interval: 100 },
    );
    expect((await demoCaseIds()).filter((id) => first.includes(id))).toEqual([]);
    // ...and the demo opens cases again.
    expect((await untilDemoCase(run, first)).length).toBeGreaterThan(0);
    expect(await run.stop()).toBe(0);
    run = undefined;

    expect(await publicState()).toEqual(before);
  });
});
