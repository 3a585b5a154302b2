import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SchedulerCamera, SchedulerPlan } from '../patrol/types.ts';
import type { CameraVisitor, VisitAnalysis } from '../visit/camera-visitor.ts';
import { type LocalRedis, startLocalRedis } from './local-redis.ts';
import { PatrolLeader } from './patrol-leader.ts';
import { PatrolStore } from './patrol-store.ts';
import { PatrolWorker } from './patrol-worker.ts';
import { closeRedis, createRedis } from './redis-connection.ts';

// The queue, leases and locks are real (Redis, BullMQ); the camera side is a timed stand-in
// here so the test can count overlaps exactly. Real cameras are in the patrol end-to-end test.
class TimedVisitor implements CameraVisitor {
  readonly active = new Map<string, number>();
  readonly visits: string[] = [];
  maxOverlapPerCamera = 0;
  constructor(private readonly ms: number) {}
  async visit(cameraId: string): Promise<VisitAnalysis> {
    const n = (this.active.get(cameraId) ?? 0) + 1;
    this.active.set(cameraId, n);
    this.maxOverlapPerCamera = Math.max(this.maxOverlapPerCamera, n);
    await new Promise((r) => setTimeout(r, this.ms));
    this.active.set(cameraId, n - 1);
    this.visits.push(cameraId);
    return { cameraId, ok: cameraId !== 'dead', frames: cameraId === 'dead' ? 0 : 3, detections: [], health: { state: cameraId === 'dead' ? 'offline' : 'online' }, eligibleAt: 0 };
  }
}

const waitFor = async (cond: () => boolean | Promise<boolean>, ms: number): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
};

const cameras: SchedulerCamera[] = ['a', 'b', 'c', 'd', 'e', 'dead'].map((id, i) => ({ id, priority: i < 2 ? 'key' : 'normal', areaType: 'street' }));
const plan: SchedulerPlan = { targets: { key: 1, normal: 2, low: 4 } };

describe('distributed patrol on a real Redis with BullMQ', () => {
  let redis: LocalRedis;
  const storage = mkdtempSync(join(tmpdir(), 'gw-dist-'));
  beforeAll(async () => {
    redis = await startLocalRedis();
  });
  afterAll(async () => {
    await redis.close();
    rmSync(storage, { recursive: true, force: true });
  });

  it('visits every camera in rotation through two workers, never one camera twice at once, and fails over', async () => {
    const prefix = `gwt${Date.now()}`;
    const common = { redisUrl: redis.url, prefix, queueName: 'patrol' };
    const visitor = new TimedVisitor(150);
    const workers = [0, 1].map((i) => new PatrolWorker({ ...common, slots: 2, visitor, storageDir: storage, visitTimeoutMs: 5000, workerId: `w${i}` }));
    const leaders = [0, 1].map(() => new PatrolLeader({ ...common, cameras, plan, tickMs: 50, leaseMs: 800 }));
    workers.forEach((w) => w.start());
    leaders.forEach((l) => l.start());
    const conn = createRedis(redis.url, 'producer');
    const store = new PatrolStore(conn, prefix);
    try {
      await waitFor(() => leaders.some((l) => l.isLeader), 3000);
      await waitFor(() => new Set(visitor.visits).size === cameras.length, 8000);
      expect(leaders.filter((l) => l.isLeader)).toHaveLength(1);
      expect(visitor.maxOverlapPerCamera).toBe(1);

      const status = await store.readStatus();
      expect(status).toMatchObject({ state: 'running', workers: 2, capacity: 4 });
      // The visitor sees a visit before the worker records it: wait for the records, not the visits.
      await waitFor(async () => Object.keys(await store.getLastVisits()).length >= 5, 8000);
      const last = await store.getLastVisits();
      expect(Object.keys(last).sort()).toEqual(['a', 'b', 'c', 'd', 'e']); // the dead camera never succeeded

      // Pause: no new visits are handed out.
      await store.setRunState('paused');
      await new Promise((r) => setTimeout(r, 400));
      const before = visitor.visits.length;
      await new Promise((r) => setTimeout(r, 1200));
      expect(visitor.visits.length - before).toBeLessThanOrEqual(0);

      // Visit-now while running jumps the queue.
      await store.setRunState('running');
      await store.requestVisitNow('e');
      const at = visitor.visits.length;
      await waitFor(() => visitor.visits.slice(at).includes('e'), 2000);

      // Failover: the leader goes away, the other takes over and the patrol goes on.
      const first = leaders.find((l) => l.isLeader)!;
      await first.close();
      const other = leaders.find((l) => l !== first)!;
      await waitFor(() => other.isLeader, 3000);
      const n = visitor.visits.length;
      await waitFor(() => visitor.visits.length >= n + 6, 6000);
      expect(visitor.maxOverlapPerCamera).toBe(1);

      // The command center changes the key revisit target without a restart.
      const keyTarget = (): number | undefined => other.activeScheduler?.status(Date.now()).perPriority.find((p) => p.priority === 'key')?.targetS;
      expect(keyTarget()).toBe(1);
      await store.setPlanOverride({ key: 3 });
      await waitFor(() => keyTarget() === 3, 2000);
    } finally {
      for (const l of leaders) await l.close();
      for (const w of workers) await w.close();
      await closeRedis(conn);
    }
  });
});
