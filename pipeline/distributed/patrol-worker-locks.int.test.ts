import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../test-fixtures/lib/wait-for.ts';
import type { CameraVisitor, VisitAnalysis, VisitHooks } from '../visit/camera-visitor.ts';
import { type LocalRedis, startLocalRedis } from './local-redis.ts';
import { lockToken, PatrolStore } from './patrol-store.ts';
import { PatrolWorker } from './patrol-worker.ts';
import { closeRedis, createRedis } from './redis-connection.ts';
import type { VisitJobData, VisitJobResult } from './visit-job.ts';

// Real Redis and BullMQ; the camera side is a stand-in that records when its stream "closes".
class StubVisitor implements CameraVisitor {
  readonly visits: string[] = [];
  /** Whether the camera's lock was still held when the analysis started, per visit. */
  readonly lockedDuringAnalysis: boolean[] = [];
  constructor(private readonly store: PatrolStore) {}
  async visit(cameraId: string, hooks: VisitHooks = {}): Promise<VisitAnalysis> {
    await new Promise((r) => setTimeout(r, 50));
    await hooks.streamClosed?.();
    this.lockedDuringAnalysis.push((await this.store.lockCamera(cameraId, 'probe|x', 1000).then(async (release) => {
      await release?.();
      return release === null;
    })));
    this.visits.push(cameraId);
    return { cameraId, ok: true, frames: 1, detections: [], health: { state: 'online' }, eligibleAt: 0 };
  }
}

/** Polls a condition on the real queue every 25 ms. */
const until = (cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<true> => waitFor(what, async () => (await cond()) || undefined, ms, { everyMs: 25 });

describe('patrol worker: camera locks and the visit slot', () => {
  let redis: LocalRedis;
  const storage = mkdtempSync(join(tmpdir(), 'gw-locks-'));
  beforeAll(async () => {
    redis = await startLocalRedis();
  });
  afterAll(async () => {
    await redis.close();
    rmSync(storage, { recursive: true, force: true });
  });

  const setup = (slots: number, extra: Partial<ConstructorParameters<typeof PatrolWorker>[0]> = {}) => {
    const prefix = `gwl${Date.now()}${Math.floor(Math.random() * 1e6)}`;
    const conn = createRedis(redis.url, 'producer');
    const store = new PatrolStore(conn, prefix);
    const visitor = new StubVisitor(store);
    const worker = new PatrolWorker({ redisUrl: redis.url, prefix, queueName: 'patrol', slots, visitor, storageDir: storage, visitTimeoutMs: 5000, workerId: 'w1', lockRetryMs: 200, ...extra });
    const queue = new Queue<VisitJobData, VisitJobResult>('patrol', { connection: { url: redis.url, maxRetriesPerRequest: null }, prefix });
    const add = (cameraId: string, n: number) => queue.add('visit', { cameraId, queuedAt: Date.now() }, { jobId: `${cameraId}.${n}`, attempts: 3 });
    const close = async () => {
      await worker.close();
      await queue.close();
      await closeRedis(conn);
    };
    return { store, visitor, worker, queue, add, close };
  };

  it('releases the camera lock when the stream closes, before the frames are analysed', async () => {
    const t = setup(1);
    try {
      t.worker.start();
      await t.add('a', 1);
      await until(() => t.visitor.visits.length === 1, 5000, 'the visit');
      expect(t.visitor.lockedDuringAnalysis).toEqual([false]);
    } finally {
      await t.close();
    }
  });

  it('gives the slot back when the camera is locked by a live visit, and visits it once the lock goes', async () => {
    const t = setup(1);
    try {
      // Another live worker holds camera a.
      await t.store.heartbeat('other', 1, 60_000);
      const release = await t.store.lockCamera('a', lockToken('other', 'j'), 60_000);
      expect(release).not.toBeNull();
      t.worker.start();
      await t.add('a', 1);
      await t.add('b', 1);
      // With one slot, b is visited while a waits outside the slot (delayed in the queue).
      await until(() => t.visitor.visits.includes('b'), 5000, 'camera b');
      expect(t.visitor.visits).not.toContain('a');
      await until(async () => (await t.queue.getDelayedCount()) === 1, 2000, 'camera a delayed in the queue');
      await release!();
      await until(() => t.visitor.visits.includes('a'), 5000, 'camera a after the lock went');
    } finally {
      await t.close();
    }
  });

  it('releases at once the lock of a worker whose heartbeat is gone (killed)', async () => {
    const t = setup(1);
    try {
      await t.store.heartbeat('dead', 1, 1); // expires right away
      await t.store.lockCamera('a', lockToken('dead', 'j'), 60_000);
      await new Promise((r) => setTimeout(r, 20));
      // The store alone: a live holder is never touched, a dead one is.
      await t.store.heartbeat('alive', 1, 60_000);
      await t.store.lockCamera('b', lockToken('alive', 'j'), 60_000);
      expect(await t.store.releaseLockOfDeadWorker('b')).toBe(false);
      // What the leader leaves out of its capacity count: only cameras a dead worker holds.
      expect(await t.store.lockedByDeadWorkers(['a', 'b', 'c'])).toBe(1);
      expect(await t.store.lockedByDeadWorkers(['b', 'c'])).toBe(0);
      t.worker.start();
      await t.add('a', 1);
      await until(() => t.visitor.visits.includes('a'), 5000, 'camera a');
      expect(await t.queue.getDelayedCount()).toBe(0);
    } finally {
      await t.close();
    }
  });

  it('runs the next stage outside the slot, in order per camera, and close() waits for it', async () => {
    const order: string[] = [];
    const gates: (() => void)[] = [];
    const t = setup(1, {
      afterVisit: async (a) => {
        await new Promise<void>((r) => gates.push(r));
        order.push(a.cameraId);
      },
    });
    try {
      t.worker.start();
      await t.add('a', 1);
      await t.add('b', 1);
      await t.add('a', 2);
      // All three visits complete while the first next-stage call is still held open.
      await until(async () => (await t.queue.getCompletedCount()) === 3, 5000, 'three completed visits');
      expect(order).toEqual([]);
      // Camera a's second visit waits for its first: only a#1 and b have started.
      expect(gates).toHaveLength(2);
      gates.shift()!();
      await until(() => gates.length === 2, 2000, "a's second next-stage call");
      for (const g of gates.splice(0)) g();
      await until(() => gates.length === 0 && order.length === 3, 2000, 'the next stage of every visit');
      expect(order.filter((c) => c === 'a')).toHaveLength(2);
    } finally {
      await t.close();
    }
  });
});
