import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readGroup } from './case-group.ts';
import { newCaseId } from './case-id.ts';
import { CaseStore } from './case-store.ts';
import { openCase } from './case-transitions.ts';
import { writeOpen } from './case-write.ts';
import { TEST_TYPES, testContext, testEvent } from './case-test-fixtures.ts';
import { RepeatGroupRead } from './repeat-group-read.ts';
import { RECORD_KINDS, type TestRecord, openTestRecord } from './test-record.ts';

const T0 = 1_700_000_000_000;

describe.each(RECORD_KINDS)('coalesced case group reads on %s', (kind) => {
  let rec: TestRecord;
  let store: CaseStore;
  beforeAll(async () => {
    rec = await openTestRecord(kind);
    store = new CaseStore(rec.handle.db, { eventType: (id) => TEST_TYPES.find((t) => t.id === id), now: () => T0 });
  });
  beforeEach(async () => {
    await rec.truncate();
  });
  afterAll(async () => {
    await rec.close();
  });

  it("gives each caller its own group (camera, type, shadow; closed ones by its own cooldown) from reads made together", async () => {
    const open = async (cameraId: string, over: Parameters<typeof testEvent>[0] = {}) => (await store.openOrUpdate(testEvent({ at: T0, cameraId, ...over }), testContext(over.eventType ?? 'illegal_parking'))).case;
    const a1 = await open('cam-a');
    const a2 = await open('cam-a', { place: [0.6, 0.1, 0.8, 0.3] });
    const aShadow = await open('cam-a', { shadow: true });
    const aCrowd = await open('cam-a', { eventType: 'crowd_gathering' });
    const b1 = await open('cam-b');
    await store.close(a2.id, 'op-1', { reason: 'duplicate' }); // closed at T0
    const reads = new RepeatGroupRead(rec.handle.db, { maxInFlight: 1 });
    const key = (cameraId: string, over: { eventType?: string; shadow?: boolean; closedSince?: number } = {}) => ({ cameraId, eventType: 'illegal_parking', shadow: false, closedSince: T0, ...over });
    const got = await Promise.all([
      reads.read(key('cam-a')),
      reads.read(key('cam-a', { closedSince: T0 + 1 })),
      reads.read(key('cam-a', { shadow: true })),
      reads.read(key('cam-a', { eventType: 'crowd_gathering' })),
      reads.read(key('cam-b')),
      reads.read(key('cam-c')),
    ]);
    const ids = got.map((g) => g.cases.map((c) => c.id));
    expect(ids).toEqual([[a1.id, a2.id].sort(), [a1.id], [aShadow.id], [aCrowd.id], [b1.id], []]);
    expect(got[0]!.cases.find((c) => c.id === a2.id)).toMatchObject({ status: 'closed' });
    // Each group's own open count (what an unlocked open is guarded by); a group never opened reads 0.
    expect(got.map((g) => g.guard.opened)).toEqual([2, 2, 1, 1, 1, 0]);
    expect(got[2]!.guard).toEqual({ cameraId: 'cam-a', eventType: 'illegal_parking', shadow: true, opened: 1 });
  });

  it('guards an open like readGroup: the count read with the cases, so an open decided on a stale read writes nothing', async () => {
    const event = testEvent({ at: T0, cameraId: 'cam-a' });
    await store.openOrUpdate(event, testContext('illegal_parking'));
    const reads = new RepeatGroupRead(rec.handle.db);
    const key = { cameraId: 'cam-a', eventType: 'illegal_parking', shadow: false, closedSince: T0 };
    const stale = await reads.read(key);
    expect(stale).toEqual(await readGroup(rec.handle.db, event, 0));
    // Another writer opens a case in the group after that read (a different place: a new case).
    await store.openOrUpdate(testEvent({ at: T0, cameraId: 'cam-a', place: [0.6, 0.1, 0.8, 0.3] }), testContext('illegal_parking'));
    const change = openCase(newCaseId(T0), testEvent({ at: T0, cameraId: 'cam-a', place: [0.1, 0.6, 0.3, 0.8] }), testContext('illegal_parking'), T0);
    expect(await writeOpen(rec.handle.db, change, {}, T0, stale.guard)).toBe(false);
    const fresh = await reads.read(key);
    expect(fresh.cases).toHaveLength(2);
    expect(fresh.guard.opened).toBe(2);
  });
});
