import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type LocalRedis, startLocalRedis } from '../distributed/local-redis.ts';
import { closeRedis, createRedis } from '../distributed/redis-connection.ts';
import { CaseStore } from './case-store.ts';
import { testContext, testEvent } from './case-test-fixtures.ts';

describe('cases survive a Redis restart with an append-only file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-aof-'));
  let redis: LocalRedis | undefined;
  afterAll(async () => {
    await redis?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops Redis (SIGTERM), starts it on the same port and folder: cases, verdicts, audit and indexes are back', async () => {
    redis = await startLocalRedis({ persistDir: dir });
    const port = redis.port;
    const conn = createRedis(redis.url, 'producer');
    const store = new CaseStore(conn, { prefix: 'gw:cases' });
    const a = (await store.openOrUpdate(testEvent(), testContext())).case;
    const b = (await store.openOrUpdate(testEvent({ place: [0.6, 0.1, 0.8, 0.3] }), testContext())).case;
    await store.claim(a.id, 'w1');
    await store.verdict(a.id, { verdict: 'confirmed', by: 'w1' });
    await store.verdict(b.id, { verdict: 'rejected', reason: 'duplicate', by: 'w2' });
    await closeRedis(conn);
    await redis.close();

    redis = await startLocalRedis({ port, persistDir: dir });
    const conn2 = createRedis(redis.url, 'producer');
    try {
      const again = new CaseStore(conn2, { prefix: 'gw:cases' });
      expect(await again.get(a.id)).toMatchObject({ status: 'confirmed', claimedBy: 'w1', verdict: { verdict: 'confirmed', by: 'w1' } });
      expect(await again.get(b.id)).toMatchObject({ status: 'rejected', verdict: { reason: 'duplicate' } });
      expect((await again.audit(a.id)).map((e) => e.action)).toEqual(['opened', 'claimed', 'confirmed']);
      expect((await again.list({ status: 'confirmed' })).cases.map((c) => c.id)).toEqual([a.id]);
      // Dedup state came back too: the same car updates the confirmed case.
      expect((await again.openOrUpdate(testEvent(), testContext())).case.id).toBe(a.id);
    } finally {
      await closeRedis(conn2);
    }
  });
});
