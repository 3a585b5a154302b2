import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRedis, startLocalRedis } from '../distributed/local-redis.ts';
import { closeRedis, createRedis } from '../distributed/redis-connection.ts';
import { CaseConflictError, CaseInputError, CaseNotFoundError } from './case-errors.ts';
import { CaseStore } from './case-store.ts';
import { EVIDENCE_A, EVIDENCE_B, testContext, testEvent } from './case-test-fixtures.ts';

const T0 = 1_700_000_000_000;

describe('CaseStore on a real Redis', () => {
  let redis: LocalRedis;
  const conns: Redis[] = [];
  const conn = (): Redis => {
    const c = createRedis(redis.url, 'producer');
    conns.push(c);
    return c;
  };
  let clock = T0;
  const store = (prefix: string, r: Redis = conn()) => new CaseStore(r, { prefix, now: () => clock });
  const fresh = () => store(`t${randomBytes(4).toString('hex')}`);

  beforeAll(async () => {
    redis = await startLocalRedis();
  });
  afterAll(async () => {
    for (const c of conns) await closeRedis(c);
    await redis.close();
  });

  it('merges sightings of the same place into one case; another place opens another', async () => {
    const s = fresh();
    clock = T0;
    const a = await s.openOrUpdate(testEvent({ at: T0 }), testContext('illegal_parking', EVIDENCE_A));
    expect(a).toMatchObject({ created: true, outcome: 'opened', case: { count: 1, status: 'open' } });
    const b = await s.openOrUpdate(testEvent({ at: T0 + 300_000, place: [0.11, 0.51, 0.31, 0.71], confidence: 0.9 }), testContext('illegal_parking', EVIDENCE_B));
    expect(b).toMatchObject({ created: false, outcome: 'updated', case: { id: a.case.id, count: 2, lastSeenAt: T0 + 300_000, confidence: 0.9 } });
    expect(b.case.evidence).toEqual({ first: EVIDENCE_A, latest: EVIDENCE_B, best: EVIDENCE_B });
    const other = await s.openOrUpdate(testEvent({ place: [0.6, 0.5, 0.8, 0.7] }), testContext());
    expect(other.created).toBe(true);
    expect(other.case.id).not.toBe(a.case.id);
    const otherCam = await s.openOrUpdate(testEvent({ cameraId: 'cam-2' }), testContext());
    const otherType = await s.openOrUpdate(testEvent({ eventType: 'fire_smoke' }), testContext('fire_smoke'));
    expect([otherCam.created, otherType.created]).toEqual([true, true]);
    expect((await s.get(a.case.id))?.count).toBe(2);
    expect((await s.list()).cases).toHaveLength(4);
  });

  it('matches zone-wide types by zone, whatever the boxes', async () => {
    const s = fresh();
    const a = await s.openOrUpdate(testEvent({ eventType: 'crowd_gathering', zone: 'square', place: [0, 0, 0.2, 0.2] }), testContext('crowd_gathering'));
    const b = await s.openOrUpdate(testEvent({ eventType: 'crowd_gathering', zone: 'square', place: [0.7, 0.7, 0.9, 0.9] }), testContext('crowd_gathering'));
    const c = await s.openOrUpdate(testEvent({ eventType: 'crowd_gathering', zone: 'gate', place: [0, 0, 0.2, 0.2] }), testContext('crowd_gathering'));
    expect([a.outcome, b.outcome, c.outcome]).toEqual(['opened', 'updated', 'opened']);
    expect(b.case.id).toBe(a.case.id);
  });

  it('opens exactly one case when many workers file the same thing at once', async () => {
    const prefix = `t${randomBytes(4).toString('hex')}`;
    const stores = [0, 1, 2, 3].map(() => store(prefix));
    const results = await Promise.all(Array.from({ length: 24 }, (_, i) => stores[i % 4]!.openOrUpdate(testEvent({ at: T0 + i }), testContext())));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const { cases } = await stores[0]!.list();
    expect(cases).toHaveLength(1);
    expect(cases[0]!.count).toBe(24);
    expect((await stores[0]!.audit(cases[0]!.id)).filter((e) => e.action === 'updated')).toHaveLength(23);
  });

  it('suppresses the same thing during the cooldown after a rejection, then opens a new case', async () => {
    const s = fresh();
    clock = T0;
    const first = await s.openOrUpdate(testEvent({ at: T0 }), testContext());
    clock = T0 + 60_000;
    await s.verdict(first.case.id, { verdict: 'rejected', reason: 'false_detection', by: 'w1' });
    const during = await s.openOrUpdate(testEvent({ at: T0 + 120_000 }), testContext());
    expect(during).toMatchObject({ created: false, outcome: 'suppressed', case: { id: first.case.id, status: 'rejected', suppressed: 1 } });
    // Elsewhere in the picture is another thing: not suppressed.
    expect((await s.openOrUpdate(testEvent({ at: T0 + 120_000, place: [0.6, 0.1, 0.8, 0.3] }), testContext())).created).toBe(true);
    clock = T0 + 60_000 + 1800_000 + 1;
    const after = await s.openOrUpdate(testEvent({ at: clock }), testContext());
    expect(after.created).toBe(true);
    expect(after.case.id).not.toBe(first.case.id);
    expect((await s.audit(first.case.id)).map((e) => e.action)).toEqual(['opened', 'rejected', 'suppressed']);
  });

  it('applies the type cooldown after a resolution', async () => {
    const s = fresh();
    clock = T0;
    const ev = (at: number) => testEvent({ eventType: 'crowd_gathering', at });
    const c = await s.openOrUpdate(ev(T0), testContext('crowd_gathering'));
    await s.verdict(c.case.id, { verdict: 'confirmed', by: 'w1' });
    expect((await s.openOrUpdate(ev(T0 + 1000), testContext('crowd_gathering'))).outcome).toBe('updated');
    clock = T0 + 10_000;
    await s.resolve(c.case.id, 'w1', 'dispersed');
    expect((await s.openOrUpdate(ev(T0 + 40_000), testContext('crowd_gathering'))).outcome).toBe('suppressed');
    expect((await s.openOrUpdate(ev(T0 + 70_001), testContext('crowd_gathering'))).outcome).toBe('opened'); // cooldownS 60
  });

  it('runs claim, verdict and resolve with idempotent repeats, conflicts, and an audit trail', async () => {
    const s = fresh();
    clock = T0;
    const { case: c } = await s.openOrUpdate(testEvent(), testContext());
    await expect(s.resolve(c.id, 'w1')).rejects.toThrow(CaseConflictError);
    clock = T0 + 1000;
    expect(await s.claim(c.id, 'w1')).toMatchObject({ changed: true, case: { status: 'claimed', claimedBy: 'w1' } });
    expect((await s.claim(c.id, 'w1')).changed).toBe(false);
    await expect(s.claim(c.id, 'w2')).rejects.toThrow(CaseConflictError);
    await expect(s.verdict(c.id, { verdict: 'confirmed', by: 'w2' })).rejects.toThrow(/claimed by w1/);
    clock = T0 + 2000;
    const v = await s.verdict(c.id, { verdict: 'confirmed', by: 'w1', note: 'seen it' });
    expect(v).toMatchObject({ changed: true, case: { status: 'confirmed', verdict: { verdict: 'confirmed', by: 'w1', at: T0 + 2000 } } });
    const again = await s.verdict(c.id, { verdict: 'confirmed', by: 'w1' });
    expect(again).toEqual({ changed: false, case: v.case });
    await expect(s.verdict(c.id, { verdict: 'rejected', reason: 'duplicate', by: 'w1' })).rejects.toThrow(CaseConflictError);
    await expect(s.verdict(c.id, { verdict: 'rejected', by: 'w1' })).rejects.toThrow(CaseInputError);
    clock = T0 + 3000;
    expect(await s.resolve(c.id, 'w3', 'towed')).toMatchObject({ changed: true, case: { status: 'resolved', resolvedAt: T0 + 3000 } });
    expect((await s.resolve(c.id, 'w3')).changed).toBe(false);
    expect((await s.markDispatched(c.id, T0 + 5)).changed).toBe(true);
    expect((await s.markDispatched(c.id, T0 + 6)).changed).toBe(false);
    const audit = await s.audit(c.id);
    expect(audit.map((e) => [e.action, e.by, e.at])).toEqual([
      ['opened', 'system', T0],
      ['claimed', 'w1', T0 + 1000],
      ['confirmed', 'w1', T0 + 2000],
      ['resolved', 'w3', T0 + 3000],
      ['dispatched', 'system', T0 + 5],
    ]);
    expect(audit[2]!.detail).toEqual({ note: 'seen it' });
    await expect(s.claim('c_000000000_0000000000', 'w1')).rejects.toThrow(CaseNotFoundError);
    await expect(s.audit('c_000000000_0000000000')).rejects.toThrow(CaseNotFoundError);
  });

  it('lists by status, grid, type and camera, in pages, oldest first or newest first', async () => {
    const s = fresh();
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      clock = T0 + i * 1000;
      const cam = i % 2 ? 'cam-2' : 'cam-1';
      const type = i < 4 ? 'illegal_parking' : 'fire_smoke';
      const ctx = { ...testContext(type), camera: { grid: i < 3 ? 'g1' : 'g2', areaType: 'street' } };
      ids.push((await s.openOrUpdate(testEvent({ eventType: type, cameraId: cam, place: [i / 10, 0, i / 10 + 0.05, 0.1] }), ctx)).case.id);
    }
    await s.claim(ids[0]!, 'w1');
    await s.verdict(ids[1]!, { verdict: 'rejected', reason: 'duplicate', by: 'w1' });
    await s.verdict(ids[2]!, { verdict: 'confirmed', by: 'w1' });
    const idsOf = async (q: Parameters<CaseStore['list']>[0]) => (await s.list(q)).cases.map((c) => ids.indexOf(c.id));
    expect(await idsOf({})).toEqual([0, 1, 2, 3, 4, 5]);
    expect(await idsOf({ status: 'pending' })).toEqual([0, 3, 4, 5]);
    expect(await idsOf({ status: 'open' })).toEqual([3, 4, 5]);
    expect(await idsOf({ status: 'claimed' })).toEqual([0]);
    expect(await idsOf({ status: 'rejected' })).toEqual([1]);
    expect(await idsOf({ grid: 'g2' })).toEqual([3, 4, 5]);
    expect(await idsOf({ type: 'fire_smoke', status: 'pending' })).toEqual([4, 5]);
    expect(await idsOf({ camera: 'cam-2', grid: 'g2', status: 'pending' })).toEqual([3, 5]);
    expect(await idsOf({ grid: 'nowhere' })).toEqual([]);
    expect(await idsOf({ order: 'desc', limit: 2 })).toEqual([5, 4]);
    const p1 = await s.list({ limit: 4 });
    expect(p1.nextCursor).toBe(ids[3]);
    const p2 = await s.list({ limit: 4, cursor: p1.nextCursor! });
    expect(p2.cases.map((c) => ids.indexOf(c.id))).toEqual([4, 5]);
    expect(p2.nextCursor).toBeNull();
    expect(await idsOf({ undispatched: true, status: 'pending' })).toEqual([0, 3, 4, 5]);
    await s.markDispatched(ids[3]!);
    expect(await idsOf({ undispatched: true, status: 'pending' })).toEqual([0, 4, 5]);
    expect(await conns[0]!.keys('*:tmp:*')).toEqual([]);
  });

  it('keeps cases, verdicts and audit trails across closing every connection', async () => {
    const prefix = `t${randomBytes(4).toString('hex')}`;
    const c1 = createRedis(redis.url, 'producer');
    const s1 = new CaseStore(c1, { prefix });
    const { case: c } = await s1.openOrUpdate(testEvent(), testContext());
    await s1.verdict(c.id, { verdict: 'rejected', reason: 'not_a_violation', by: 'w9' });
    await closeRedis(c1);
    await closeRedis(c1);
    const s2 = store(prefix);
    expect(await s2.get(c.id)).toMatchObject({ status: 'rejected', verdict: { reason: 'not_a_violation', by: 'w9' } });
    expect((await s2.audit(c.id)).map((e) => e.action)).toEqual(['opened', 'rejected']);
    expect((await s2.list({ status: 'rejected' })).cases.map((x) => x.id)).toEqual([c.id]);
    // The cooldown state survives too.
    expect((await s2.openOrUpdate(testEvent(), testContext())).outcome).toBe('suppressed');
  });
});
