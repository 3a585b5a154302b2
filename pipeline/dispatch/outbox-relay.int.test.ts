import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CaseStore } from '../cases/case-store.ts';
import { TEST_TYPES, testContext, testEvent } from '../cases/case-test-fixtures.ts';
import { CaseChangeFeed } from '../cases/case-change-feed.ts';
import { RECORD_KINDS, type TestRecord, openTestRecord } from '../cases/test-record.ts';
import { type LocalRedis, startLocalRedis } from '../distributed/local-redis.ts';
import { OutboxRelay } from './outbox-relay.ts';
import { buildDispatchPayload } from './dispatch-payload.ts';

describe('OutboxRelay on real PostgreSQL and Redis', () => {
  let rec: TestRecord;
  let redis: LocalRedis;
  let store: CaseStore;
  const closers: (() => Promise<unknown>)[] = [];
  const eventType = (id: string) => TEST_TYPES.find((t) => t.id === id);

  beforeAll(async () => {
    rec = await openTestRecord('postgres');
    redis = await startLocalRedis();
  });
  beforeEach(async () => {
    await rec.truncate();
    store = new CaseStore(rec.handle.db, { eventType });
  });
  afterAll(async () => {
    for (const c of closers.reverse()) await c();
    await redis.close();
    await rec.close();
  });

  const relayOn = (url: string, queueName: string, over: Partial<ConstructorParameters<typeof OutboxRelay>[0]> = {}) => {
    const r = new OutboxRelay({ db: rec.handle.db, redisUrl: url, queueName, addTimeoutMs: 1500, onDispatched: (ids, at) => store.markDispatchedMany(ids, at), ...over });
    closers.push(() => r.close());
    return r;
  };
  const queueOn = (url: string, name: string) => {
    const q = new Queue(name, { connection: { url, maxRetriesPerRequest: null } });
    closers.push(() => q.close());
    return q;
  };

  it('keeps rows while Redis is away and sends each once when it is back', async () => {
    const own = await startLocalRedis();
    const port = own.port;
    const name = `d-${randomBytes(3).toString('hex')}`;
    const relay = relayOn(own.url, name);
    const a = (await store.openOrUpdate(testEvent(), testContext())).case;
    await own.close();
    const b = (await store.openOrUpdate(testEvent({ place: [0.6, 0.1, 0.8, 0.3] }), testContext())).case;
    expect(await relay.relayOnce()).toEqual({ sent: 0, failed: 2 });
    expect(await relay.backlog()).toBe(2);
    const row = await rec.handle.db.selectFrom('outbox').select(['attempts', 'last_error', 'claimed_until']).where('case_id', '=', a.id).executeTakeFirstOrThrow();
    expect(row.attempts).toBe(1);
    expect(row.last_error).toBeTruthy();
    expect(row.claimed_until).toBeNull();
    const back = await startLocalRedis({ port });
    closers.push(() => back.close());
    const sent = await (async () => {
      for (let i = 0; i < 40; i++) {
        const r = await relay.relayOnce();
        if (r.sent) return r;
        await new Promise((res) => setTimeout(res, 250));
      }
      return { sent: 0, failed: -1 };
    })();
    expect(sent).toEqual({ sent: 2, failed: 0 });
    expect(await relay.relayOnce()).toEqual({ sent: 0, failed: 0 });
    const jobs = await queueOn(back.url, name).getJobs(['prioritized', 'waiting']);
    expect(jobs.map((j) => j.id).sort()).toEqual([`${a.id}.v1`, `${b.id}.v1`].sort());
    expect((await store.get(a.id))?.status).toBe('dispatched');
  });

  it('a crash between the add and the mark sends nothing twice (the job id is the dedup key)', async () => {
    const name = `d-${randomBytes(3).toString('hex')}`;
    const c = (await store.openOrUpdate(testEvent(), testContext())).case;
    const q = queueOn(redis.url, name);
    // As if a relay added the job and died before marking the row sent.
    await q.add('illegal_parking', buildDispatchPayload(c, eventType('illegal_parking')!), { jobId: `${c.id}.v1` });
    expect(await relayOn(redis.url, name).relayOnce()).toEqual({ sent: 1, failed: 0 });
    expect((await q.getJobs(['prioritized', 'waiting'])).map((j) => j.id)).toEqual([`${c.id}.v1`]);
  });

  it('several relays share the table: every row is sent once', async () => {
    const name = `d-${randomBytes(3).toString('hex')}`;
    for (let i = 0; i < 30; i++) await store.openOrUpdate(testEvent({ cameraId: `cam-${i}` }), testContext());
    const relays = [0, 1, 2].map(() => relayOn(redis.url, name, { batch: 7 }));
    let total = 0;
    for (let round = 0; round < 10; round++) {
      const passes = await Promise.all(relays.map((r) => r.relayOnce()));
      total += passes.reduce((s, p) => s + p.sent, 0);
    }
    expect(total).toBe(30);
    const jobs = await queueOn(redis.url, name).getJobs(['prioritized', 'waiting']);
    expect(new Set(jobs.map((j) => j.id)).size).toBe(30);
    expect(await relays[0]!.backlog()).toBe(0);
  });
});

describe.each(RECORD_KINDS)('OutboxRelay woken by case changes (%s record)', (kind) => {
  let rec: TestRecord;
  let redis: LocalRedis;
  const closers: (() => Promise<unknown>)[] = [];
  const eventType = (id: string) => TEST_TYPES.find((t) => t.id === id);

  beforeAll(async () => {
    rec = await openTestRecord(kind);
    redis = await startLocalRedis();
  });
  afterAll(async () => {
    for (const c of closers.reverse()) await c();
    await redis.close();
    await rec.close();
  });

  const jobIds = async (q: Queue, want: number): Promise<string[]> => {
    for (;;) {
      const jobs = await q.getJobs(['prioritized', 'waiting']);
      if (jobs.length >= want) return jobs.map((j) => j.id!).sort();
      await new Promise((res) => setTimeout(res, 50));
    }
  };

  // The safety-net poll (10 min) is far beyond the test's timeout: only the wake can send the jobs.
  it('publishes a new case without waiting for the safety-net poll: this process\'s store at once, another by LISTEN', { timeout: 30_000 }, async () => {
    await rec.truncate();
    const name = `d-${randomBytes(3).toString('hex')}`;
    const mine = new CaseStore(rec.handle.db, { eventType });
    const other = new CaseStore(rec.handle.db, { eventType });
    const feed = (await CaseChangeFeed.open(rec.handle)).follow(mine);
    closers.push(() => feed.close());
    expect(feed.live).toBe(true);
    const relay = new OutboxRelay({ db: rec.handle.db, redisUrl: redis.url, queueName: name, changes: feed, safetyPollMs: 600_000, onDispatched: (ids, at) => mine.markDispatchedMany(ids, at) });
    closers.push(() => relay.close());
    relay.start();
    // Let the first (empty) pass begin and end: from here only a wake or the 10-min poll looks again.
    await new Promise((res) => setTimeout(res, 5));
    expect(await relay.relayOnce()).toEqual({ sent: 0, failed: 0 });
    const q = new Queue(name, { connection: { url: redis.url, maxRetriesPerRequest: null } });
    closers.push(() => q.close());
    const a = (await mine.openOrUpdate(testEvent(), testContext())).case;
    expect(await jobIds(q, 1)).toEqual([`${a.id}.v1`]);
    const b = (await other.openOrUpdate(testEvent({ cameraId: 'cam-other' }), testContext())).case;
    expect(await jobIds(q, 2)).toEqual([`${a.id}.v1`, `${b.id}.v1`].sort());
    expect(await relay.backlog()).toBe(0);
  });
});
