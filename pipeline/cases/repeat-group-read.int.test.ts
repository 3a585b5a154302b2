import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CaseStore } from './case-store.ts';
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
    const ids = got.map((g) => g.map((c) => c.id));
    expect(ids).toEqual([[a1.id, a2.id].sort(), [a1.id], [aShadow.id], [aCrowd.id], [b1.id], []]);
    expect(got[0]!.find((c) => c.id === a2.id)).toMatchObject({ status: 'closed' });
  });
});
