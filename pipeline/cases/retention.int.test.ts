import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseStore } from './case-store.ts';
import { TEST_TYPES, testContext, testEvent } from './case-test-fixtures.ts';
import { writeEvidence } from './evidence.ts';
import { applyRetention } from './retention.ts';
import { type TestRecord, openTestRecord } from './test-record.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 10, 12);

describe('evidence retention on the embedded record', () => {
  let rec: TestRecord;
  const dir = mkdtempSync(join(tmpdir(), 'gw-retention-'));
  beforeAll(async () => {
    rec = await openTestRecord('embedded');
  });
  afterAll(async () => {
    await rec.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('deletes old frames no case shows, keeps the before/after pair and every case row', async () => {
    let clock = T0;
    const s = new CaseStore(rec.handle.db, { eventType: (id) => TEST_TYPES.find((t) => t.id === id), now: () => clock });
    const file = (n: number, at: number) => writeEvidence(dir, Buffer.from([0xff, 0xd8, n]), at);
    const [first, latest, after, stray, recent] = [await file(1, T0), await file(2, T0), await file(3, T0 + DAY), await file(4, T0), await file(5, T0 + 40 * DAY)];
    const { case: c } = await s.openOrUpdate(testEvent({ at: T0 }), { ...testContext(), evidence: { latest: first } });
    await s.openOrUpdate(testEvent({ at: T0 + 1, confidence: 0.5 }), { ...testContext(), evidence: { latest } });
    await s.verdict(c.id, 'w1', { verdict: 'confirmed' });
    await s.handle(c.id, 'unit');
    clock = T0 + DAY;
    await s.recheckOutcome(c.id, true, { path: after });
    const report = await applyRetention(rec.handle.db, dir, 30 * DAY, T0 + 41 * DAY);
    expect(report).toMatchObject({ files: 2, days: 2 });
    for (const kept of [first, after, recent]) expect(existsSync(join(dir, kept)), kept).toBe(true);
    for (const gone of [latest, stray]) expect(existsSync(join(dir, gone)), gone).toBe(false);
    expect((await s.get(c.id))?.evidence).toMatchObject({ first, best: first, after });
    expect(await applyRetention(rec.handle.db, dir, 30 * DAY, T0 + 41 * DAY)).toMatchObject({ files: 0 });
  });
});
