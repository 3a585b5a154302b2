import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../test-fixtures/lib/wait-for.ts';
import type { SchedulerCamera } from '../patrol/types.ts';
import type { CameraVisitor, VisitAnalysis } from '../visit/camera-visitor.ts';
import { PatrolLeader } from './patrol-leader.ts';
import { PatrolStore } from './patrol-store.ts';
import { PatrolWorker } from './patrol-worker.ts';
import { closeRedis, createRedis } from './redis-connection.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

// Queue, leader and worker are real (Redis, BullMQ); the camera side is a stand-in that counts visits.
class CountingVisitor implements CameraVisitor {
  readonly visits: string[] = [];
  async visit(cameraId: string): Promise<VisitAnalysis> {
    this.visits.push(cameraId);
    return { cameraId, ok: true, frames: 1, detections: [], health: { state: 'online' }, eligibleAt: 0 };
  }
}

/** Polls a condition on the real queue every 50 ms. */
const until = (cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<true> => waitFor(what, async () => (await cond()) || undefined, ms, { everyMs: 50 });

describe('POST /api/patrol/stop semantics on a real queue: stop drops queued visits until started again', () => {
  const prefix = `gwt-stop-${Date.now()}`;
  const storage = mkdtempSync(join(tmpdir(), 'gw-stop-'));
  const conn = createRedis(REDIS_URL, 'producer');
  afterAll(async () => {
    const keys = await conn.keys(`${prefix}:*`);
    if (keys.length) await conn.del(...keys);
    await closeRedis(conn);
    rmSync(storage, { recursive: true, force: true });
  });

  it('queued visits are removed on stop, nothing is handed out while stopped, start brings the patrol back', async () => {
    const common = { redisUrl: REDIS_URL, prefix, queueName: 'patrol' };
    const cameras: SchedulerCamera[] = ['a', 'b', 'c', 'd'].map((id) => ({ id, priority: 'key', areaType: 'street' }));
    const store = new PatrolStore(conn, prefix);
    const queue = new Queue('patrol', { connection: { url: REDIS_URL }, prefix });
    // A worker that announced 4 slots and consumes nothing: the leader fills the queue for it.
    await store.heartbeat('ghost', 4, 60_000);
    const leader = new PatrolLeader({ ...common, cameras, plan: { targets: { key: 1, normal: 2, low: 4 } }, tickMs: 50, leaseMs: 800 });
    const visitor = new CountingVisitor();
    let worker: PatrolWorker | undefined;
    try {
      leader.start();
      await until(async () => (await queue.getWaitingCount()) === 4, 5000, 'four queued visits');

      await store.setRunState('stopped');
      await until(async () => (await queue.getWaitingCount()) === 0, 5000, 'the queue to be emptied');
      await store.removeWorker('ghost');

      worker = new PatrolWorker({ ...common, slots: 2, visitor, storageDir: storage, visitTimeoutMs: 5000, workerId: 'w1' });
      worker.start();
      await new Promise((r) => setTimeout(r, 1000));
      expect(visitor.visits).toEqual([]); // the dropped visits never ran, and nothing new was handed out
      expect(await queue.getWaitingCount()).toBe(0);

      await store.setRunState('running');
      await until(() => new Set(visitor.visits).size === 4, 8000, 'every camera visited after start');
    } finally {
      await leader.close();
      await worker?.close();
      await queue.close();
    }
  });
});
