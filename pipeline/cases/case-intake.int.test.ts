import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRedis, startLocalRedis } from '../distributed/local-redis.ts';
import { closeRedis, createRedis } from '../distributed/redis-connection.ts';
import { Dispatcher } from '../dispatch/dispatcher.ts';
import { CaseIntake } from './case-intake.ts';
import { CaseStore } from './case-store.ts';
import { TEST_TYPES, testEvent } from './case-test-fixtures.ts';

const T0 = 1_700_000_000_000;
const frame = (shade: number) => sharp({ create: { width: 960, height: 540, channels: 3, background: { r: shade, g: shade, b: shade } } }).jpeg().toBuffer();

describe('CaseIntake: evidence, dedup and dispatch together', () => {
  let redis: LocalRedis;
  let conn: ReturnType<typeof createRedis>;
  let qconn: ReturnType<typeof createRedis>;
  let dispatcher: Dispatcher;
  let queue: Queue;
  const dir = mkdtempSync(join(tmpdir(), 'gw-intake-'));

  beforeAll(async () => {
    redis = await startLocalRedis();
    conn = createRedis(redis.url, 'producer');
    qconn = createRedis(redis.url, 'producer');
  });
  afterAll(async () => {
    await dispatcher?.close();
    await queue?.close();
    await closeRedis(qconn);
    await closeRedis(conn);
    await redis.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('dispatches a case once however often it is seen; a new place is a new case', async () => {
    const store = new CaseStore(conn, { prefix: `t${randomBytes(3).toString('hex')}` });
    const queueName = `dispatch-${randomBytes(3).toString('hex')}`;
    dispatcher = new Dispatcher({ redisUrl: redis.url, queueName, spoolDir: join(dir, 'spool'), onDelivered: (id, at) => store.markDispatched(id, at) });
    queue = new Queue(queueName, { connection: qconn });
    const intake = new CaseIntake({
      store,
      dispatcher,
      evidenceDir: join(dir, 'evidence'),
      eventType: (id) => TEST_TYPES.find((t) => t.id === id),
      camera: () => ({ grid: 'g1', areaType: 'school', zones: [{ name: 'road', points: [[0, 0.4], [1, 0.4], [1, 1], [0, 1]] }] }),
      keepRaw: true,
    });
    const first = await frame(60);
    const r1 = await intake.file({ event: testEvent({ at: T0 }), frameJpeg: await frame(80), first: { jpeg: first } });
    const t0 = performance.now();
    const r2 = await intake.file({ event: testEvent({ at: T0 + 300_000, confidence: 0.9 }), frameJpeg: await frame(100) });
    const updateMs = performance.now() - t0;
    const r3 = await intake.file({ event: testEvent({ at: T0 + 600_000 }), frameJpeg: await frame(100) });
    const other = await intake.file({ event: testEvent({ at: T0 + 600_000, place: [0.6, 0.5, 0.8, 0.7] }), frameJpeg: await frame(100) });
    expect([r1.outcome, r2.outcome, r3.outcome, other.outcome]).toEqual(['opened', 'updated', 'updated', 'opened']);
    expect([r1.dispatch, r2.dispatch, r3.dispatch, other.dispatch]).toEqual(['queued', undefined, undefined, 'queued']);
    const c = (await store.get(r1.case.id))!;
    expect(c).toMatchObject({ count: 3, lastSeenAt: T0 + 600_000, confidence: 0.9 });
    expect(c.dispatchedAt).toBeTypeOf('number');
    // First sighting kept; latest and best from later visits; files named by content.
    expect(new Set([c.evidence.first, c.evidence.latest, c.evidence.raw]).size).toBe(3);
    expect(c.evidence.best).toBe(r2.case.evidence.latest);
    expect(c.evidence.latest).toBe(r3.case.evidence.latest);
    for (const p of Object.values(c.evidence)) expect(existsSync(join(dir, 'evidence', p))).toBe(true);
    const jobs = await queue.getJobs(['prioritized', 'waiting']);
    expect(jobs.map((j) => j.id).sort()).toEqual([r1.case.id, other.case.id].sort());
    // Nothing is left to re-dispatch; re-dispatching anyway adds no job.
    expect(await intake.redispatchUndelivered()).toBe(0);
    console.info(`intake of an update (960x540: render, hash, store, merge): ${updateMs.toFixed(1)} ms`);
  });
});
