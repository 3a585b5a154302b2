import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../db/open-database.ts';
import { CaseChangeFeed } from './case-change-feed.ts';
import { CaseStore } from './case-store.ts';
import { TEST_TYPES, testContext, testEvent } from './case-test-fixtures.ts';
import { RECORD_KINDS, type TestRecord, openTestRecord } from './test-record.ts';

describe.each(RECORD_KINDS)('case change feed on %s', (kind) => {
  let rec: TestRecord;
  let other: DatabaseHandle | undefined;
  let feed: CaseChangeFeed;
  let heard = 0;
  let store: CaseStore;

  beforeAll(async () => {
    rec = await openTestRecord(kind);
    // Another process's connection on a server; embedded, the one connection is all there is.
    other = rec.url ? await openDatabase({ url: rec.url, migrate: false, poolSize: 1 }) : undefined;
    store = new CaseStore(rec.handle.db, { eventType: (id) => TEST_TYPES.find((t) => t.id === id) });
    feed = (await CaseChangeFeed.open(rec.handle)).follow(store);
    feed.onChange(() => heard++);
  });
  afterAll(async () => {
    await feed?.close();
    await other?.close();
    await rec?.close();
  });

  it('is live once open, and hears the store it follows the moment a write commits', async () => {
    expect(feed.live).toBe(true);
    const before = heard;
    await store.openOrUpdate(testEvent(), testContext());
    expect(heard).toBeGreaterThan(before);
  });

  it('hears new cases and repeat sightings filed by a store it does not follow (another process), which announces them itself', async () => {
    // The store's hot-path writes tell the trigger not to notify (migration 0005): this fails if the store does not announce them.
    const elsewhere = new CaseStore(other?.db ?? rec.handle.db, { eventType: (id) => TEST_TYPES.find((t) => t.id === id) });
    for (const at of [1_700_000_000_000, 1_700_000_001_000]) {
      const before = heard;
      const r = await elsewhere.openOrUpdate(testEvent({ cameraId: 'cam-elsewhere', at }), testContext());
      expect(r.outcome).toBe(at === 1_700_000_000_000 ? 'opened' : 'updated');
      await vi.waitFor(() => expect(heard).toBeGreaterThan(before), { timeout: 10_000 });
    }
    await elsewhere.changesAnnounced();
  });

  it('hears a change made past every store (SQL on another connection), through the trigger on cases', async () => {
    const { cases } = await store.list();
    const before = heard;
    const db = other?.db ?? rec.handle.db;
    await sql`update cases set suppressed = suppressed + 1 where id = ${cases[0]!.id}`.execute(db);
    await vi.waitFor(() => expect(heard).toBeGreaterThan(before), { timeout: 10_000 });
  });

  it.runIf(kind === 'postgres')('says it is not live while its connection is lost, signals the loss, and comes back', async () => {
    const before = heard;
    const killed = await sql<{ n: number }>`
      select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
      where datname = current_database() and query = 'listen gw_case_changes' and pid <> pg_backend_pid()`.execute(other!.db);
    expect(killed.rows[0]?.n).toBe(1);
    await vi.waitFor(() => expect(heard).toBeGreaterThan(before), { timeout: 10_000 });
    await vi.waitFor(() => expect(feed.live).toBe(true), { timeout: 15_000 });
    const after = heard;
    await sql`update cases set suppressed = suppressed + 1`.execute(other!.db);
    await vi.waitFor(() => expect(heard).toBeGreaterThan(after), { timeout: 10_000 });
  });

  it('is not live after close, and close is safe twice', async () => {
    const f = await CaseChangeFeed.open(rec.handle);
    await f.close();
    await f.close();
    expect(f.live).toBe(false);
  });
});
