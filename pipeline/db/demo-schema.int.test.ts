/** The demo's record on a real PostgreSQL lives in its own schema: reset at start, the user's data untouched. */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseStore } from '../cases/case-store.ts';
import { TEST_TYPES, testContext, testEvent } from '../cases/case-test-fixtures.ts';
import { DEMO_SCHEMA, prepareDemoSchema, urlInSchema } from './demo-schema.ts';
import { openDatabase } from './open-database.ts';
import { type ScratchDatabase, createScratchDatabase } from './scratch-database.ts';

describe('the demo\'s own schema on a real PostgreSQL', () => {
  let scratch: ScratchDatabase;
  beforeAll(async () => {
    scratch = await createScratchDatabase(undefined, 'demo');
  });
  afterAll(async () => {
    await scratch?.drop();
  });

  const openCases = async (url: string) => {
    const h = await openDatabase({ url, poolSize: 2 });
    return { h, store: new CaseStore(h.db, { eventType: (id) => TEST_TYPES.find((t) => t.id === id) }) };
  };

  it('keeps the demo apart from the deployment\'s record, resets only its own schema, keeps it with --keep-state', async () => {
    // The user's record, in public, with a case in it.
    const real = await openCases(scratch.url);
    const mine = (await real.store.openOrUpdate(testEvent(), testContext())).case;
    await real.h.close();

    const first = await prepareDemoSchema(scratch.url);
    expect(first.reset).toBe(true);
    const demo = await openCases(first.url);
    expect(demo.h.migration?.applied.length).toBeGreaterThan(0);
    expect((await demo.store.list()).cases).toEqual([]);
    const demoCase = (await demo.store.openOrUpdate(testEvent({ cameraId: 'demo-cam' }), testContext())).case;
    const where = await sql<{ schema: string }>`select table_schema as schema from information_schema.tables where table_name = 'cases' order by 1`.execute(demo.h.db);
    expect(where.rows.map((r) => r.schema)).toEqual([DEMO_SCHEMA, 'public']);
    await demo.h.close();

    // --keep-state: the last demo's case is still there.
    const kept = await prepareDemoSchema(scratch.url, { keepState: true });
    const again = await openCases(kept.url);
    expect((await again.store.list()).cases.map((c) => c.id)).toEqual([demoCase.id]);
    await again.h.close();

    // A clean start: the demo's case is gone; the user's case was never touched.
    const clean = await openCases((await prepareDemoSchema(scratch.url)).url);
    expect((await clean.store.list()).cases).toEqual([]);
    await clean.h.close();
    const after = await openCases(scratch.url);
    expect((await after.store.list()).cases).toEqual([mine]);
    await after.h.close();
  });

  it('refuses a URL that already sets options, and a schema name that is not an identifier', () => {
    expect(() => urlInSchema('postgres://u@h/db?options=-c%20x%3D1', DEMO_SCHEMA)).toThrow(/already sets "options"/);
    expect(() => urlInSchema('postgres://u@h/db', 'Demo;drop')).toThrow(/identifier/);
    expect(new URL(urlInSchema('postgres://u:secret@h:5433/db', DEMO_SCHEMA)).searchParams.get('options')).toBe(`-c search_path=${DEMO_SCHEMA}`);
  });
});
