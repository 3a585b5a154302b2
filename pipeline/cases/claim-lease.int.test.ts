import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { closeRedis, createRedis } from '../distributed/redis-connection.ts';
import { CaseConflictError } from './case-errors.ts';
import { CaseStore } from './case-store.ts';
import { EVIDENCE_A, testContext, testEvent } from './case-test-fixtures.ts';

const T0 = 1_700_000_000_000;
const LEASE = 15 * 60_000;

describe('claim leases on a real Redis, with a controlled clock', () => {
  const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'producer');
  const prefix = `gwt-lease-${randomBytes(4).toString('hex')}`;
  let clock = T0;
  const store = new CaseStore(redis, { prefix, now: () => clock, claimLeaseMs: LEASE });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await closeRedis(redis);
  });

  it('a claim expires after its lease, can be released by its holder and broken by an operator, all audited', async () => {
    const { case: c } = await store.openOrUpdate(testEvent({ at: T0 }), testContext('illegal_parking', EVIDENCE_A));
    expect((await store.claim(c.id, 'w1')).case).toMatchObject({ claimedBy: 'w1', claimExpiresAt: T0 + LEASE });
    clock = T0 + LEASE - 1;
    await expect(store.claim(c.id, 'w2')).rejects.toThrow(CaseConflictError);
    await expect(store.release(c.id, 'w2')).rejects.toThrow(/claimed by w1/);
    clock = T0 + LEASE;
    expect((await store.claim(c.id, 'w2')).case).toMatchObject({ claimedBy: 'w2', claimExpiresAt: T0 + 2 * LEASE });
    expect((await store.release(c.id, 'w2')).case.status).toBe('open');
    expect((await store.list({ status: 'pending' })).cases.map((x) => x.id)).toEqual([c.id]);
    await store.claim(c.id, 'w3');
    expect((await store.release(c.id, 'operator-1', { force: true })).case).toMatchObject({ status: 'open' });
    expect((await store.release(c.id, 'w3')).changed).toBe(false);
    const audit = (await store.audit(c.id)).map((a) => [a.action, a.by, a.detail ?? null]);
    expect(audit.slice(1)).toEqual([
      ['claimed', 'w1', null],
      ['claimed', 'w2', { expiredClaimOf: 'w1' }],
      ['released', 'w2', { holder: 'w2' }],
      ['claimed', 'w3', null],
      ['claim_broken', 'operator-1', { holder: 'w3' }],
    ]);
  });
});
