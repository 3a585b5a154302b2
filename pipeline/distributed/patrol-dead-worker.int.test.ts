import { Queue } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../test-fixtures/lib/wait-for.ts';
import type { SchedulerCamera } from '../patrol/types.ts';
import { PatrolLeader } from './patrol-leader.ts';
import { lockToken, PatrolStore } from './patrol-store.ts';
import { closeRedis, createRedis } from './redis-connection.ts';
import type { VisitJobData } from './visit-job.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('patrol leader after a worker is killed mid-visit', () => {
  const prefix = `gwt-dead-${Date.now()}`;
  const conn = createRedis(REDIS_URL, 'producer');
  afterAll(async () => {
    const keys = await conn.keys(`${prefix}:*`);
    if (keys.length) await conn.del(...keys);
    await closeRedis(conn);
  });

  it("does not count the dead worker's visits against the live capacity, so the survivor's slots get other cameras", async () => {
    const common = { redisUrl: REDIS_URL, prefix, queueName: 'patrol' };
    const cameras: SchedulerCamera[] = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => ({ id, priority: 'key', areaType: 'street' }));
    const store = new PatrolStore(conn, prefix);
    const queue = new Queue<VisitJobData>('patrol', { connection: { url: REDIS_URL }, prefix });
    // A live worker with 2 slots that consumes nothing: the leader queues two visits for it.
    await store.heartbeat('survivor', 2, 60_000);
    const leader = new PatrolLeader({ ...common, cameras, plan: { targets: { key: 1, normal: 2, low: 4 } }, tickMs: 50, leaseMs: 800 });
    const queued = async (): Promise<string[]> => (await queue.getWaiting()).map((j) => j.data.cameraId).sort();
    try {
      leader.start();
      await waitFor('two queued visits', async () => ((await queued()).length === 2 ? true : undefined), 5000, { everyMs: 50 });
      await new Promise((r) => setTimeout(r, 300));
      const first = await queued();
      expect(first).toHaveLength(2);
      // Those two visits were taken by a worker that was then killed: their cameras stay locked by
      // it (no heartbeat) until BullMQ hands the jobs on. They hold no live slot.
      for (const cam of first) await store.lockCamera(cam, lockToken('killed', `${cam}.1`), 60_000);
      const more = await waitFor('two more visits for the live slots', async () => ((await queued()).length === 4 ? queued() : undefined), 5000, { everyMs: 50 });
      expect(more.filter((c) => !first.includes(c))).toHaveLength(2);
      // The live slots are filled again: nothing more is queued.
      await new Promise((r) => setTimeout(r, 300));
      expect(await queued()).toHaveLength(4);
    } finally {
      await leader.close();
      await queue.close();
    }
  });
});
