import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rebuildApiJson } from './case-api-json.ts';
import type { CaseListQuery } from './case-list.ts';
import type { CaseRecord } from './case-model.ts';
import { CaseStore } from './case-store.ts';
import { EVIDENCE_B, TEST_TYPES, testContext, testEvent } from './case-test-fixtures.ts';
import { RECORD_KINDS, type TestRecord, openTestRecord } from './test-record.ts';
import { syncUnits } from './unit-directory.ts';

const T0 = 1_700_000_000_000;

describe.each(RECORD_KINDS)('case pages as JSON text from the record on %s', (kind) => {
  let rec: TestRecord;
  let clock = T0;
  let s: CaseStore;
  const ids: string[] = [];

  beforeAll(async () => {
    rec = await openTestRecord(kind);
  });
  beforeEach(async () => {
    clock = T0;
    ids.length = 0;
    await rec.truncate();
    await syncUnits(rec.handle.db, TEST_TYPES, T0);
    s = new CaseStore(rec.handle.db, { eventType: (id) => TEST_TYPES.find((t) => t.id === id), now: () => clock });
    // Cases in every state a page can show: claimed, decided both ways, handled with a photo,
    // re-checked, escalated, reassigned, closed by hand, overdue, dispatched by the relay's batch, shadow.
    for (let i = 0; i < 10; i++) {
      clock = T0 + i * 1000;
      const type = i % 3 === 2 ? 'fire_smoke' : 'illegal_parking';
      const ctx = { ...testContext(type), camera: { grid: i < 5 ? 'g1' : 'g2', areaType: i % 2 ? 'school' : 'street' } };
      // The last one a shadow candidate's: its flag must survive the list, the JSON page and the rebuild.
      ids.push((await s.openOrUpdate(testEvent({ eventType: type, cameraId: `cam-${i % 4}`, place: [i / 20, 0, i / 20 + 0.04, 0.1], ...(i === 9 ? { shadow: true } : {}) }), ctx)).case.id);
    }
    await s.claim(ids[0]!, 'w1');
    await s.verdict(ids[1]!, 'w1', { verdict: 'rejected', reason: 'wrong_event_type', correctType: 'fire_smoke', note: 'a bus stop' });
    await s.verdict(ids[2]!, 'w2', { verdict: 'confirmed', note: 'yes' });
    await s.verdict(ids[3]!, 'w2', { verdict: 'confirmed' });
    await s.handle(ids[3]!, 'unit', { note: 'towed', photo: EVIDENCE_B });
    await s.startRecheck(ids[3]!);
    await s.recheckOutcome(ids[3]!, false, { path: EVIDENCE_B, confidence: 0.7 });
    await s.escalate(ids[4]!, 'op', { reason: 'big' });
    await s.reassign(ids[5]!, 'op', { unit: 'Traffic police' });
    await s.close(ids[6]!, 'op', { reason: 'reported by phone', note: 'ticket 9' });
    await s.markDispatchedMany([ids[7]!, ids[8]!], T0 + 20_000);
    clock = T0 + 11 * 60_000;
    await s.flagOverdue();
  });
  afterAll(async () => {
    await rec.close();
  });

  const parsed = async (q: CaseListQuery): Promise<{ cases: CaseRecord[]; count: number; nextCursor: string | null }> => {
    const page = await s.listJson(q);
    return { cases: JSON.parse(page.cases) as CaseRecord[], count: page.count, nextCursor: page.nextCursor };
  };

  it('gives the same cases as the typed list, for every filter, order and page', async () => {
    const queries: CaseListQuery[] = [
      {},
      { status: 'pending' },
      { status: 'active' },
      { status: 'active', order: 'desc', limit: 4 },
      { status: 'closed' },
      { status: 'rejected' },
      { grid: 'g2', order: 'desc' },
      { type: 'fire_smoke' },
      { camera: 'cam-1' },
      { unit: 'Traffic police' },
      { overdue: true },
      { grids: ['g1'] },
      { grids: ['g1', 'g2'], status: 'pending', limit: 2 },
      { grids: [] },
      { limit: 3 },
      { limit: 3, cursor: ids[2]! },
      { limit: 3, order: 'desc', cursor: ids[5]! },
      { limit: 10 },
      { limit: 9 },
    ];
    for (const q of queries) {
      const typed = await s.list(q);
      const json = await parsed(q);
      expect(json.cases, JSON.stringify(q)).toEqual(typed.cases);
      expect([json.count, json.nextCursor], JSON.stringify(q)).toEqual([typed.cases.length, typed.nextCursor]);
    }
    // active: every case but the closed and rejected ones, whatever stage of the loop it is at.
    const everything = (await s.list({})).cases;
    const active = (await s.list({ status: 'active' })).cases;
    expect(active.map((c) => c.id)).toEqual(everything.filter((c) => c.status !== 'closed' && c.status !== 'rejected').map((c) => c.id));
    expect(new Set(active.map((c) => c.status)).size).toBeGreaterThan(2);
    expect((await parsed({ grids: [] })).cases).toEqual([]);
    expect((await parsed({ limit: 9 })).nextCursor).toBe(ids[8]);
    expect((await parsed({ limit: 10 })).nextCursor).toBeNull();
    expect((await parsed({ unit: 'Traffic police' })).cases.map((c) => c.id)).toContain(ids[5]);
  });

  it('is what the record rebuilds from the columns (the migration fills old rows the same way)', async () => {
    const before = (await s.list({ limit: 50 })).cases;
    expect(before.filter((c) => c.shadow).map((c) => c.id)).toEqual([ids[9]]);
    expect(await rebuildApiJson(rec.handle.db)).toBe(10);
    expect((await parsed({ limit: 50 })).cases).toEqual(before);
    // The batch dispatch patch and the Node writer agree too.
    const d = before.find((c) => c.id === ids[7]);
    expect(d).toMatchObject({ status: 'dispatched', dispatchedAt: T0 + 20_000, version: 2 });
  });
});
