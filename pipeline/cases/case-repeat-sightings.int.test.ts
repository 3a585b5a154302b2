import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CaseStore, type CaseStoreOptions } from './case-store.ts';
import { newCaseId } from './case-id.ts';
import { mergeSighting, openCase } from './case-transitions.ts';
import { writeGuardedChange, writeOpen } from './case-write.ts';
import { EVIDENCE_B, TEST_TYPES, testContext, testEvent } from './case-test-fixtures.ts';
import { RECORD_KINDS, type TestRecord, openTestRecord } from './test-record.ts';

const T0 = 1_700_000_000_000;

// Repeat sightings of an open case skip the group lock: one read, one statement guarded by the
// case's version. These tests hold that path to what the locked one promised.
describe.each(RECORD_KINDS)('repeat sightings on %s', (kind) => {
  let rec: TestRecord;
  const store = (over: Partial<CaseStoreOptions> = {}) => new CaseStore(rec.handle.db, { eventType: (id) => TEST_TYPES.find((t) => t.id === id), now: () => T0, ...over });
  const rowsOf = async (caseId: string) => ({
    audit: await rec.handle.db.selectFrom('case_audit').select(['case_version', 'action']).where('case_id', '=', caseId).orderBy('id').execute(),
    sightings: await rec.handle.db.selectFrom('sightings').select('at').where('case_id', '=', caseId).execute(),
  });

  beforeAll(async () => {
    rec = await openTestRecord(kind);
  });
  beforeEach(async () => {
    await rec.truncate();
  });
  afterAll(async () => {
    await rec.close();
  });

  it('loses no sighting when many workers file repeats of one case at once, optimistic and locked side by side', async () => {
    const opened = await store().openOrUpdate(testEvent({ at: T0 }), testContext());
    const stores = [store(), store(), store({ sightingWrites: 'locked' }), store({ repeatCommit: 'async' })];
    const results = await Promise.all(Array.from({ length: 24 }, (_, i) => stores[i % 4]!.openOrUpdate(testEvent({ at: T0 + 1 + i }), testContext())));
    expect(results.every((r) => r.outcome === 'updated' && r.case.id === opened.case.id)).toBe(true);
    const now = await stores[0]!.get(opened.case.id);
    expect(now).toMatchObject({ count: 25, version: 25, lastSeenAt: T0 + 24 });
    const { audit, sightings } = await rowsOf(opened.case.id);
    // One audit row per sighting, each on its own version: no write was decided on a stale one.
    expect(audit.map((a) => a.case_version)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(audit.filter((a) => a.action === 'updated')).toHaveLength(24);
    expect(sightings).toHaveLength(25);
    expect(await rec.handle.db.selectFrom('outbox').select('job_id').execute()).toEqual([{ job_id: `${opened.case.id}.v1` }]);
  });

  it('writes nothing at all for a change decided on a version that moved on', async () => {
    const s = store();
    const { case: v1 } = await s.openOrUpdate(testEvent({ at: T0 }), testContext());
    const { case: v2 } = await s.openOrUpdate(testEvent({ at: T0 + 1 }), testContext());
    const stale = mergeSighting(v1, testEvent({ at: T0 + 2 }), testContext('illegal_parking', EVIDENCE_B), T0 + 2);
    const before = await rowsOf(v1.id);
    expect(await writeGuardedChange(rec.handle.db, v1, stale, {}, T0 + 2)).toBe(false);
    expect(await rowsOf(v1.id)).toEqual(before);
    expect(await s.get(v1.id)).toEqual(v2);
    const fresh = mergeSighting(v2, testEvent({ at: T0 + 3 }), testContext(), T0 + 3);
    expect(await writeGuardedChange(rec.handle.db, v2, fresh, {}, T0 + 3, 'async')).toBe(true);
    expect(await s.get(v1.id)).toMatchObject({ version: 3, count: 3, lastSeenAt: T0 + 3 });
    expect((await rowsOf(v1.id)).sightings).toHaveLength(3);
  });

  it('a repeat racing an operator rejection is counted on the rejected case, never written over it', async () => {
    const s = store();
    const { case: c } = await s.openOrUpdate(testEvent({ at: T0 }), testContext());
    const [, repeat] = await Promise.all([s.verdict(c.id, 'w1', { verdict: 'rejected', reason: 'false_detection' }), s.openOrUpdate(testEvent({ at: T0 + 1 }), testContext())]);
    const after = await s.get(c.id);
    expect(after).toMatchObject({ status: 'rejected', verdict: { verdict: 'rejected', by: 'w1' } });
    // Whichever came first, the sighting is on the case: merged before the verdict, or suppressed after it.
    expect(repeat.case.id).toBe(c.id);
    expect(after!.count + after!.suppressed).toBe(2);
    expect((await rowsOf(c.id)).audit.map((a) => a.action).sort()).toEqual(['opened', 'rejected', repeat.outcome].sort());
  });

  it('a new case decided on a group read that another open moved on writes nothing at all', async () => {
    // Two workers read the group empty (open count 0) and both decide to open, at different places.
    const guard = { cameraId: 'cam-1', eventType: 'illegal_parking', shadow: false, opened: 0 };
    const a = openCase(newCaseId(T0), testEvent({ at: T0 }), testContext(), T0);
    const b = openCase(newCaseId(T0 + 1), testEvent({ at: T0 + 1, place: [0.6, 0.1, 0.8, 0.3] }), testContext(), T0 + 1);
    expect(await writeOpen(rec.handle.db, a, {}, T0, guard)).toBe(true);
    expect(await writeOpen(rec.handle.db, b, {}, T0 + 1, guard)).toBe(false);
    expect(await store().get(b.next.id)).toBeNull();
    expect(await rowsOf(b.next.id)).toEqual({ audit: [], sightings: [] });
    // Decided again on the count the first open left, it goes in.
    expect(await writeOpen(rec.handle.db, b, {}, T0 + 1, { ...guard, opened: 1 })).toBe(true);
    expect((await store().list()).cases.map((c) => c.id)).toEqual([a.next.id, b.next.id]);
    expect((await rowsOf(b.next.id)).audit).toEqual([{ case_version: 1, action: 'opened' }]);
  });
});
