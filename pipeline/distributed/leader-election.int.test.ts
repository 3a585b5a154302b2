import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeaderElection } from './leader-election.ts';
import { type LocalRedis, startLocalRedis } from './local-redis.ts';
import { closeRedis, createRedis } from './redis-connection.ts';

const waitFor = async (cond: () => boolean, ms: number): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('LeaderElection on a real Redis', () => {
  let redis: LocalRedis;
  beforeAll(async () => {
    redis = await startLocalRedis();
  });
  afterAll(async () => {
    await redis.close();
  });

  it('elects exactly one of three candidates and fails over when the leader goes', async () => {
    const conns = [0, 1, 2].map(() => createRedis(redis.url, 'worker'));
    const key = `gw-test:leader:${Date.now()}`;
    const cands = conns.map((c, i) => new LeaderElection(c, { key, leaseMs: 600, renewMs: 100, name: `c${i}` }));
    cands.forEach((c) => c.start());
    await waitFor(() => cands.some((c) => c.isLeader), 2000);
    await new Promise((r) => setTimeout(r, 400));
    expect(cands.filter((c) => c.isLeader)).toHaveLength(1);
    const first = cands.find((c) => c.isLeader)!;
    // Simulate a crash: stop renewing without releasing (the lease must expire by itself).
    const idx = cands.indexOf(first);
    conns[idx]!.disconnect();
    const t0 = Date.now();
    await waitFor(() => cands.some((c, i) => i !== idx && c.isLeader), 3000);
    expect(Date.now() - t0).toBeLessThan(1500);
    await new Promise((r) => setTimeout(r, 300));
    expect(cands.filter((c, i) => i !== idx && c.isLeader)).toHaveLength(1);
    // The disconnected one has stepped down by itself.
    expect(first.isLeader).toBe(false);
    for (const c of cands) await c.close();
    for (const c of conns) await closeRedis(c);
  });

  it('releases the lease on close so the next candidate takes over at once', async () => {
    const a = createRedis(redis.url, 'worker');
    const b = createRedis(redis.url, 'worker');
    const key = `gw-test:leader2:${Date.now()}`;
    const ca = new LeaderElection(a, { key, leaseMs: 5000, renewMs: 100 });
    ca.start();
    await waitFor(() => ca.isLeader, 2000);
    const cb = new LeaderElection(b, { key, leaseMs: 5000, renewMs: 100 });
    cb.start();
    await new Promise((r) => setTimeout(r, 250));
    expect(cb.isLeader).toBe(false);
    await ca.close();
    await waitFor(() => cb.isLeader, 1000);
    await cb.close();
    expect(await b.get(key)).toBeNull();
    await closeRedis(a);
    await closeRedis(b);
  });
});
