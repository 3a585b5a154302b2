import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRedis, startLocalRedis } from '../distributed/local-redis.ts';
import { closeRedis, createRedis } from '../distributed/redis-connection.ts';
import { OutboxRelay } from '../dispatch/outbox-relay.ts';
import { CaseIntake } from './case-intake.ts';
import { CaseStore } from './case-store.ts';
import { TEST_TYPES, testEvent } from './case-test-fixtures.ts';
import { type TestRecord, openTestRecord } from './test-record.ts';

const T0 = 1_700_000_000_000;
const frame = (shade: number) => sharp({ create: { width: 960, height: 540, channels: 3, background: { r: shade, g: shade, b: shade } } }).jpeg().toBuffer();

describe('CaseIntake: evidence, dedup and dispatch through the outbox, on PostgreSQL and real Redis', () => {
  let redis: LocalRedis;
  let rec: TestRecord;
  let qconn: ReturnType<typeof createRedis>;
  let relay: OutboxRelay | undefined;
  let queue: Queue | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'gw-intake-'));

  beforeAll(async () => {
    redis = await startLocalRedis();
    rec = await openTestRecord('postgres');
    qconn = createRedis(redis.url, 'producer');
  });
  afterAll(async () => {
    await relay?.close();
    await queue?.close();
    await closeRedis(qconn);
    await rec.close();
    await redis.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('dispatches a case once however often it is seen, renders only new and better evidence', async () => {
    const store = new CaseStore(rec.handle.db, { eventType: (id) => TEST_TYPES.find((t) => t.id === id) });
    const queueName = `dispatch-${randomBytes(3).toString('hex')}`;
    relay = new OutboxRelay({ db: rec.handle.db, redisUrl: redis.url, queueName, onDispatched: (ids, at) => store.markDispatchedMany(ids, at) });
    queue = new Queue(queueName, { connection: qconn });
    const intake = new CaseIntake({
      store,
      evidenceDir: join(dir, 'evidence'),
      eventType: (id) => TEST_TYPES.find((t) => t.id === id),
      camera: () => ({ grid: 'g1', areaType: 'school', zones: [{ name: 'road', points: [[0, 0.4], [1, 0.4], [1, 1], [0, 1]] }] }),
      keepRaw: true,
    });
    const first = await frame(60);
    const r1 = await intake.file({ event: testEvent({ at: T0 }), frameJpeg: await frame(80), first: { jpeg: first } });
    const r2 = await intake.file({ event: testEvent({ at: T0 + 300_000, confidence: 0.9 }), frameJpeg: await frame(100) });
    const r3 = await intake.file({ event: testEvent({ at: T0 + 600_000 }), frameJpeg: await frame(120) });
    const other = await intake.file({ event: testEvent({ at: T0 + 600_000, place: [0.6, 0.5, 0.8, 0.7] }), frameJpeg: await frame(100) });
    expect([r1.outcome, r2.outcome, r3.outcome, other.outcome]).toEqual(['opened', 'updated', 'updated', 'opened']);
    // Rendered for the new case and the better sighting, not for the repeat.
    expect([r1.rendered, r2.rendered, r3.rendered, other.rendered]).toEqual([true, true, false, true]);
    expect(await relay.relayOnce()).toEqual({ sent: 2, failed: 0 });
    expect(await relay.relayOnce()).toEqual({ sent: 0, failed: 0 });
    const c = (await store.get(r1.case.id))!;
    expect(c).toMatchObject({ count: 3, lastSeenAt: T0 + 600_000, confidence: 0.9, status: 'dispatched' });
    expect(c.dispatchedAt).toBeTypeOf('number');
    expect(new Set([c.evidence.first, c.evidence.latest, c.evidence.raw]).size).toBe(3);
    expect(c.evidence.best).toBe(r2.case.evidence.latest);
    for (const p of Object.values(c.evidence)) expect(existsSync(join(dir, 'evidence', p))).toBe(true);
    const jobs = await queue.getJobs(['prioritized', 'waiting']);
    expect(jobs.map((j) => j.id).sort()).toEqual([`${r1.case.id}.v1`, `${other.case.id}.v1`].sort());
    expect(jobs.find((j) => j.id === `${r1.case.id}.v1`)?.data).toMatchObject({ version: 1, caseId: r1.case.id, evidence: { first: r1.case.evidence.first } });
  });
});
