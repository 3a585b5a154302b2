import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseStore } from './case-store.ts';
import { TEST_TYPES, testContext, testEvent } from './case-test-fixtures.ts';
import { type TestRecord, openTestRecord } from './test-record.ts';

const T0 = 1_700_000_000_000;

// The re-check reads this after every visit: only the camera's handled and rechecking cases come back.
describe('cases awaiting the re-check on a camera', () => {
  let rec: TestRecord;
  beforeAll(async () => {
    rec = await openTestRecord('postgres');
  });
  afterAll(async () => {
    await rec.close();
  });

  it('are the handled and rechecking ones of that camera, not its other active cases', async () => {
    const s = new CaseStore(rec.handle.db, { eventType: (id) => TEST_TYPES.find((t) => t.id === id), now: () => T0 });
    const at = (x: number, cameraId = 'cam-1') => testEvent({ at: T0, cameraId, place: [x, 0.5, x + 0.1, 0.7] });
    const [open, handled, rechecking, other] = await Promise.all([at(0), at(0.3), at(0.6), at(0.3, 'cam-2')].map(async (e) => (await s.openOrUpdate(e, testContext())).case));
    for (const c of [handled!, rechecking!, other!]) {
      await s.verdict(c.id, 'w1', { verdict: 'confirmed' });
      await s.handle(c.id, 'unit-1', { note: 'done' });
    }
    await s.startRecheck(rechecking!.id);
    expect((await s.activeOnCamera('cam-1')).map((c) => c.id)).toEqual([open!.id, handled!.id, rechecking!.id].sort());
    expect((await s.awaitingRecheckOnCamera('cam-1')).map((c) => [c.id, c.status])).toEqual(
      [[handled!.id, 'handled'], [rechecking!.id, 'rechecking']].sort((a, b) => a[0]!.localeCompare(b[0]!)),
    );
    expect((await s.awaitingRecheckOnCamera('cam-2')).map((c) => c.id)).toEqual([other!.id]);
  });
});
