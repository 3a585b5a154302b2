import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseClaimedError } from './case-errors.ts';
import { CaseStore } from './case-store.ts';
import { EVIDENCE_A, TEST_TYPES, testContext, testEvent } from './case-test-fixtures.ts';
import { RECORD_KINDS, type TestRecord, openTestRecord } from './test-record.ts';

const T0 = 1_700_000_000_000;
const LEASE = 15 * 60_000;

describe.each(RECORD_KINDS)('claim leases on the record (%s), with a controlled clock', (kind) => {
  let rec: TestRecord;
  let clock = T0;
  let store: CaseStore;
  beforeAll(async () => {
    rec = await openTestRecord(kind);
    store = new CaseStore(rec.handle.db, { eventType: (id) => TEST_TYPES.find((t) => t.id === id), now: () => clock, claimLeaseMs: LEASE });
  });
  afterAll(async () => {
    await rec.close();
  });

  it('a claim expires after its lease, can be released by its holder and broken by an operator, all audited', async () => {
    const { case: c } = await store.openOrUpdate(testEvent({ at: T0 }), testContext('illegal_parking', EVIDENCE_A));
    expect((await store.claim(c.id, 'w1')).case).toMatchObject({ claimedBy: 'w1', claimExpiresAt: T0 + LEASE });
    clock = T0 + LEASE - 1;
    await expect(store.claim(c.id, 'w2')).rejects.toThrow(CaseClaimedError);
    await expect(store.release(c.id, 'w2')).rejects.toThrow(/claimed by w1/);
    clock = T0 + LEASE;
    expect((await store.claim(c.id, 'w2')).case).toMatchObject({ claimedBy: 'w2', claimExpiresAt: T0 + 2 * LEASE });
    const released = (await store.release(c.id, 'w2')).case;
    expect(released.status).toBe('opened');
    expect(released.claimedBy).toBeUndefined();
    expect((await store.list({ status: 'pending' })).cases.map((x) => x.id)).toEqual([c.id]);
    await store.claim(c.id, 'w3');
    expect((await store.breakClaim(c.id, 'operator-1')).case.claimedBy).toBeUndefined();
    expect((await store.release(c.id, 'w3')).changed).toBe(false);
    const audit = (await store.audit(c.id)).map((a) => [a.action, a.by, a.detail?.holder ?? a.detail?.previous ?? null]);
    expect(audit.slice(1)).toEqual([
      ['claimed', 'w1', null],
      ['claimed', 'w2', 'w1'],
      ['released', 'w2', null],
      ['claimed', 'w3', null],
      ['claim_broken', 'operator-1', 'w3'],
    ]);
  });
});
