import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startOwnPostgres } from '../../test-fixtures/lib/own-postgres.ts';
import type { Database } from '../db/db-schema.ts';
import { openDatabase } from '../db/open-database.ts';
import { freePort } from '../distributed/local-redis.ts';
import { CASE_CHANGES_CHANNEL } from './case-change-notifier.ts';
import { RepeatWriteError } from './case-errors.ts';
import type { CaseRecord } from './case-model.ts';
import { CaseStore } from './case-store.ts';
import { mergeSighting } from './case-transitions.ts';
import { writeGuardedChange } from './case-write.ts';
import { type GuardedWrite, writeGuardedBatch } from './repeat-batch-write.ts';
import { RepeatGroupCommit } from './repeat-group-commit.ts';
import { EVIDENCE_B, TEST_TYPES, testContext, testEvent } from './case-test-fixtures.ts';
import { RECORD_KINDS, type TestRecord, openTestRecord } from './test-record.ts';

const T0 = 1_700_000_000_000;
const newStore = (db: Kysely<Database>) => new CaseStore(db, { eventType: (id) => TEST_TYPES.find((t) => t.id === id), now: () => T0 });

/** `n` open cases, one per camera. */
async function openCases(store: CaseStore, n: number): Promise<CaseRecord[]> {
  const out: CaseRecord[] = [];
  for (let i = 0; i < n; i++) out.push((await store.openOrUpdate(testEvent({ at: T0, cameraId: `cam-${i}` }), testContext())).case);
  return out;
}

/** A repeat sighting of `c` at T0 + dt, as the store would write it. */
const repeatOf = (c: CaseRecord, dt = 1, ctx = testContext()): GuardedWrite => ({ prev: c, change: mergeSighting(c, testEvent({ at: T0 + dt, cameraId: c.cameraId }), ctx, T0 + dt), outbox: {}, now: T0 + dt });

async function rowsOf(db: Kysely<Database>, caseId: string) {
  return {
    audit: await db.selectFrom('case_audit').select(['case_version', 'action']).where('case_id', '=', caseId).orderBy('id').execute(),
    sightings: (await db.selectFrom('sightings').select('at').where('case_id', '=', caseId).execute()).length,
  };
}

describe.each(RECORD_KINDS)('group commit of repeat sightings on %s', (kind) => {
  let rec: TestRecord;
  let store: CaseStore;

  beforeAll(async () => {
    rec = await openTestRecord(kind);
    store = newStore(rec.handle.db);
  });
  beforeEach(async () => {
    await rec.truncate();
  });
  afterAll(async () => {
    await rec.close();
  });

  it('writes repeats that arrive while a batch is in flight as the next batch, each with its own rows', async () => {
    const cases = await openCases(store, 20);
    const batches: number[] = [];
    const gc = new RepeatGroupCommit(rec.handle.db, {
      maxInFlight: 1,
      writeBatch: (db, w) => {
        batches.push(w.length);
        return writeGuardedBatch(db, w);
      },
      writeOne: (db, w) => {
        batches.push(1);
        return writeGuardedChange(db, w.prev, w.change, w.outbox, w.now);
      },
    });
    const written = await Promise.all(cases.map((c) => gc.write(repeatOf(c))));
    expect(written).toEqual(cases.map(() => true));
    // The first goes at once; the other 19 arrive while it is written and go together.
    expect(batches).toEqual([1, 19]);
    for (const c of cases) {
      expect(await store.get(c.id)).toEqual(mergeSighting(c, testEvent({ at: T0 + 1, cameraId: c.cameraId }), testContext(), T0 + 1).next);
      expect(await rowsOf(rec.handle.db, c.id)).toEqual({ audit: [{ case_version: 1, action: 'opened' }, { case_version: 2, action: 'updated' }], sightings: 2 });
    }
    await gc.close();
  });

  it('with two batches in flight, writes every repeat once and never one case in both', async () => {
    const cases = await openCases(store, 10);
    const batches: string[][] = [];
    let inFlight = 0;
    let most = 0;
    const gc = new RepeatGroupCommit(rec.handle.db, {
      maxInFlight: 2,
      writeBatch: async (db, w) => {
        batches.push(w.map((x) => x.change.next.id));
        most = Math.max(most, ++inFlight);
        try {
          return await writeGuardedBatch(db, w);
        } finally {
          inFlight--;
        }
      },
    });
    // Three rounds per case handed in at once: each round decided on the version the one before writes.
    let current = cases;
    for (let round = 1; round <= 3; round++) {
      const writes = current.map((c) => repeatOf(c, round));
      expect(await Promise.all(writes.map((w) => gc.write(w)))).toEqual(current.map(() => true));
      current = writes.map((w) => w.change.next);
    }
    expect(most).toBeLessThanOrEqual(2);
    for (const c of cases) expect(await store.get(c.id)).toMatchObject({ version: 4, count: 4, lastSeenAt: T0 + 3 });
    // A second change of a case handed in while its first is being written waits for that batch.
    const [a] = current;
    const [first, second] = await Promise.all([gc.write(repeatOf(a!, 4)), gc.write(repeatOf(a!, 5))]);
    expect([first, second]).toEqual([true, false]);
    expect(await store.get(a!.id)).toMatchObject({ version: 5, count: 5, lastSeenAt: T0 + 4 });
    await gc.close();
  });

  it('writes a better sighting\'s evidence rows in the batch, and nothing of a change whose case moved on', async () => {
    const [a, b] = await openCases(store, 2);
    const gc = new RepeatGroupCommit(rec.handle.db);
    const better: GuardedWrite = { prev: a!, change: mergeSighting(a!, testEvent({ at: T0 + 1, cameraId: a!.cameraId, confidence: 0.95 }), testContext('illegal_parking', EVIDENCE_B), T0 + 1), outbox: {}, now: T0 + 1 };
    // Two changes of b decided on the same version: the second waits for the next batch, where its guard fails.
    const [w1, w2, w3] = await Promise.all([gc.write(better), gc.write(repeatOf(b!, 1)), gc.write(repeatOf(b!, 2))]);
    expect([w1, w2, w3]).toEqual([true, true, false]);
    expect(await store.get(a!.id)).toMatchObject({ version: 2, confidence: 0.95, evidence: { latest: EVIDENCE_B, best: EVIDENCE_B } });
    expect(await rec.handle.db.selectFrom('evidence').select(['role', 'path']).where('case_id', '=', a!.id).where('role', '=', 'best').execute()).toContainEqual({ role: 'best', path: EVIDENCE_B });
    expect(await store.get(b!.id)).toMatchObject({ version: 2, count: 2, lastSeenAt: T0 + 1 });
    expect((await rowsOf(rec.handle.db, b!.id)).sightings).toBe(2);
    await gc.close();
  });

  it('a change the record refuses fails only its own caller; the rest of its batch is written', async () => {
    const cases = await openCases(store, 5);
    const gc = new RepeatGroupCommit(rec.handle.db);
    const poison = repeatOf(cases[2]!);
    // An audit row without an actor breaks the NOT NULL constraint: the whole batch statement fails.
    const bad: GuardedWrite = { ...poison, change: { ...poison.change, audit: { ...poison.change.audit, by: null as unknown as string } } };
    const settled = await Promise.allSettled([gc.write(repeatOf(cases[0]!)), ...cases.slice(1).map((c, i) => gc.write(i === 1 ? bad : repeatOf(c)))]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const err = (settled[2] as PromiseRejectedResult).reason as RepeatWriteError;
    expect(err).toBeInstanceOf(RepeatWriteError);
    expect(err).toMatchObject({ code: 'CASE_REPEAT_WRITE', caseId: cases[2]!.id });
    expect(err.message).toMatch(/not written: written neither in a batch \(.*\) nor alone \(.*by/);
    for (const [i, c] of cases.entries()) expect(await store.get(c.id)).toMatchObject({ version: i === 2 ? 1 : 2, count: i === 2 ? 1 : 2 });
    await gc.close();
  });

  it('a batch that committed though its caller saw an error (connection lost at COMMIT) is reported written, never filed twice', async () => {
    const cases = await openCases(store, 3);
    const gc = new RepeatGroupCommit(rec.handle.db, {
      writeBatch: async (db, w) => {
        await writeGuardedBatch(db, w);
        throw new Error('Connection terminated unexpectedly');
      },
    });
    // The first goes alone (the single statement), the other two as a batch that "fails" after its commit.
    expect(await Promise.all(cases.map((c) => gc.write(repeatOf(c))))).toEqual([true, true, true]);
    for (const c of cases) expect(await rowsOf(rec.handle.db, c.id)).toEqual({ audit: [{ case_version: 1, action: 'opened' }, { case_version: 2, action: 'updated' }], sightings: 2 });
    await gc.close();
  });

  it('files repeats through the store in batches: many cameras at once, one audit row and sighting each', async () => {
    const cases = await openCases(store, 12);
    const results = await Promise.all(cases.flatMap((c) => [store.openOrUpdate(testEvent({ at: T0 + 1, cameraId: c.cameraId }), testContext())]));
    expect(results.map((r) => r.outcome)).toEqual(cases.map(() => 'updated'));
    const counts = await sql<{ n: number }>`select count(*)::int as n from case_audit where action = 'updated'`.execute(rec.handle.db);
    expect(counts.rows[0]!.n).toBe(12);
    // Then again, with the first round's versions moved on: the store re-reads and still writes each once.
    const again = await Promise.all(cases.map((c) => store.openOrUpdate(testEvent({ at: T0 + 2, cameraId: c.cameraId }), testContext())));
    expect(again.map((r) => r.case.count)).toEqual(cases.map(() => 3));
  });

  it('refuses writes after close, with the case named', async () => {
    const [c] = await openCases(store, 1);
    const gc = new RepeatGroupCommit(rec.handle.db);
    await gc.close();
    await gc.close();
    await expect(gc.write(repeatOf(c!))).rejects.toThrow(new RegExp(`case ${c!.id} not written: the repeat writer is closed`));
  });
});

describe('group commit while PostgreSQL is away', () => {
  it('rejects every caller with a RepeatWriteError, writes nothing, and works again once the server is back', async () => {
    const pgs = await startOwnPostgres(await freePort());
    const handle = await openDatabase({ url: pgs.url });
    try {
      const store = newStore(handle.db);
      const cases = await openCases(store, 4);
      const gc = new RepeatGroupCommit(handle.db);
      await pgs.kill('immediate');
      const settled = await Promise.allSettled(cases.map((c) => gc.write(repeatOf(c))));
      for (const [i, s] of settled.entries()) {
        expect(s.status).toBe('rejected');
        expect((s as PromiseRejectedResult).reason).toBeInstanceOf(RepeatWriteError);
        expect((s as PromiseRejectedResult).reason).toMatchObject({ caseId: cases[i]!.id });
      }
      await pgs.start();
      // Nothing was acknowledged, so nothing half-written: every case is as it was, and the same repeats now go through.
      for (const c of cases) expect(await store.get(c.id)).toEqual(c);
      expect(await Promise.all(cases.map((c) => gc.write(repeatOf(c))))).toEqual([true, true, true, true]);
      for (const c of cases) expect(await rowsOf(handle.db, c.id)).toEqual({ audit: [{ case_version: 1, action: 'opened' }, { case_version: 2, action: 'updated' }], sightings: 2 });
      await gc.close();
    } finally {
      await handle.close();
      await pgs.close();
    }
  });
});

describe('change notifications of group-committed repeats', () => {
  let rec: TestRecord;
  let listener: pg.Client;
  const heard: string[] = [];
  beforeAll(async () => {
    rec = await openTestRecord('postgres');
    listener = new pg.Client({ connectionString: rec.url });
    await listener.connect();
    listener.on('notification', (n) => heard.push(n.payload ?? ''));
    await listener.query(`listen ${CASE_CHANGES_CHANNEL}`);
  });
  afterAll(async () => {
    await listener?.end();
    await rec?.close();
  });

  /** What the listener heard up to a marker sent now: notifications reach it in commit order, so nothing committed before is missing. */
  async function heardUntilMarker(): Promise<string[]> {
    const marker = `marker-${heard.length}`;
    await sql`select pg_notify(${CASE_CHANGES_CHANNEL}, ${marker})`.execute(rec.handle.db);
    await vi.waitFor(() => expect(heard).toContain(marker), { timeout: 10_000 });
    return heard.splice(0).filter((p) => p !== marker);
  }

  it('a batch statement leaves the trigger silent, and the store announces the batch after its commit', async () => {
    const store = newStore(rec.handle.db);
    const cases = await openCases(store, 6);
    await store.changesAnnounced();
    await heardUntilMarker();
    // The batch statement alone (as RepeatGroupCommit writes it): the trigger must not notify inside the commit.
    expect(await writeGuardedBatch(rec.handle.db, cases.slice(0, 3).map((c) => repeatOf(c)))).toEqual(new Set(cases.slice(0, 3).map((c) => c.id)));
    expect(await heardUntilMarker()).toEqual([]);
    // A batch whose every case moved on writes nothing; the statement trigger still fires, and must stay silent too.
    expect(await writeGuardedBatch(rec.handle.db, cases.slice(0, 3).map((c) => repeatOf(c)))).toEqual(new Set());
    expect(await heardUntilMarker()).toEqual([]);
    // Through the store (sightings in flight at once, group-committed): announced by the store, coalesced, not lost.
    const results = await Promise.all(cases.slice(3).map((c) => store.openOrUpdate(testEvent({ at: T0 + 1, cameraId: c.cameraId }), testContext())));
    expect(results.map((r) => r.outcome)).toEqual(['updated', 'updated', 'updated']);
    await store.changesAnnounced();
    const announced = await heardUntilMarker();
    expect(announced.length).toBeGreaterThanOrEqual(1);
    expect(announced.length).toBeLessThanOrEqual(results.length);
    expect(announced.every((p) => p === '')).toBe(true);
  });
});
