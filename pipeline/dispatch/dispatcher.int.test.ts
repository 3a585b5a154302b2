import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { type JobType, Queue } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { CaseStore } from '../cases/case-store.ts';
import { testContext, testEvent, testType } from '../cases/case-test-fixtures.ts';
import { type LocalRedis, startLocalRedis } from '../distributed/local-redis.ts';
import { closeRedis, createRedis } from '../distributed/redis-connection.ts';
import type { CaseRecord } from '../events/event-model.ts';
import { buildDispatchPayload, type DispatchPayloadV1 } from './dispatch-payload.ts';
import { Dispatcher } from './dispatcher.ts';
import { Spool } from './spool.ts';

const schema = JSON.parse(readFileSync(new URL('../../schemas/dispatch-payload.v1.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const validate = new Ajv2020({ strict: true }).compile(schema);
const ALL_STATES: JobType[] = ['waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed', 'waiting-children'];

async function until(what: string, test: () => boolean | Promise<boolean>, ms = 20_000): Promise<number> {
  const t0 = Date.now();
  while (!(await test())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - t0;
}

describe('Dispatcher: BullMQ producer with an on-disk spool', () => {
  const root = mkdtempSync(join(tmpdir(), 'gw-dispatch-'));
  const aof = join(root, 'redis');
  const spoolDir = join(root, 'spool');
  mkdirSync(aof);
  let redis: LocalRedis | undefined;
  const closers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of closers.reverse()) await c();
    await redis?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('spools while Redis is down, delivers after it returns, exactly one job per case, payloads valid', async () => {
    redis = await startLocalRedis({ persistDir: aof });
    const port = redis.port;
    const conn = createRedis(redis.url, 'producer');
    closers.push(() => closeRedis(conn));
    const store = new CaseStore(conn, { prefix: 'gw:cases' });
    const queueName = `dispatch-${randomBytes(3).toString('hex')}`;
    const delivered: string[] = [];
    const options = {
      redisUrl: redis.url,
      queueName,
      spoolDir,
      retryMinMs: 100,
      retryMaxMs: 400,
      onDelivered: async (id: string, at: number) => {
        delivered.push(id);
        await store.markDispatched(id, at);
      },
    };
    let dispatcher = new Dispatcher(options);
    closers.push(() => dispatcher.close());

    const cases: CaseRecord[] = [];
    for (let i = 0; i < 4; i++) {
      const type = i === 3 ? 'fire_smoke' : 'illegal_parking';
      cases.push((await store.openOrUpdate(testEvent({ eventType: type, place: [i / 5, 0.1, i / 5 + 0.1, 0.2] }), testContext(type))).case);
    }
    const payloads: DispatchPayloadV1[] = cases.map((c) => buildDispatchPayload(c, testType(c.eventType)));
    expect(await dispatcher.dispatch(payloads[0]!)).toBe('queued');
    expect(delivered).toEqual([cases[0]!.id]);

    // Redis goes away: three more cases (and one of them twice, and the queued one again) go to the spool.
    await redis.close();
    const spoolMs: number[] = [];
    for (const p of [payloads[1]!, payloads[2]!, payloads[3]!, payloads[2]!, payloads[0]!]) {
      const t0 = performance.now();
      expect(await dispatcher.dispatch(p)).toBe('spooled');
      spoolMs.push(performance.now() - t0);
    }
    expect(readdirSync(spoolDir).sort()).toEqual(cases.map((c) => `${c.id}.json`).sort());
    expect(dispatcher.spooledCount).toBe(4);

    // The process restarts too: a new dispatcher picks the spool up from disk.
    await dispatcher.close();
    await dispatcher.close();
    dispatcher = new Dispatcher(options);
    closers.push(() => dispatcher.close());

    redis = await startLocalRedis({ port, persistDir: aof });
    const recoveryMs = await until('the spool to drain', () => dispatcher.spooledCount === 0);
    expect(readdirSync(spoolDir)).toEqual([]);
    expect(delivered.slice(1)).toEqual(cases.map((c) => c.id).sort());

    const qconn = createRedis(redis.url, 'producer');
    const queue = new Queue(queueName, { connection: qconn });
    closers.push(async () => {
      await queue.close();
      await closeRedis(qconn);
    });
    const jobs = await queue.getJobs(ALL_STATES);
    expect(jobs.map((j) => j.id).sort()).toEqual(cases.map((c) => c.id).sort());
    for (const j of jobs) {
      expect(validate(j.data), JSON.stringify(validate.errors)).toBe(true);
      expect(j.opts.priority).toBe((j.data as DispatchPayloadV1).priority);
      expect(j.name).toBe((j.data as DispatchPayloadV1).eventType.id);
    }
    expect(jobs.find((j) => j.id === cases[3]!.id)?.opts.priority).toBe(1);
    await until('dispatch marks', async () => (await Promise.all(cases.map((c) => store.get(c.id)))).every((c) => c?.dispatchedAt !== undefined), 5000);

    // A crash between add and delete leaves a delivered case in the spool: delivering it again adds nothing.
    await new Spool(spoolDir).put(cases[1]!.id, payloads[1]);
    expect(await dispatcher.flush()).toEqual({ delivered: 1, remaining: 0 });
    expect((await queue.getJobs(ALL_STATES)).length).toBe(4);
    expect((await store.audit(cases[1]!.id)).filter((e) => e.action === 'dispatched')).toHaveLength(1);

    // Reported, not asserted: how long a failing dispatch takes, and the delivery after Redis came back.
    console.info(`dispatch while Redis is down: ${spoolMs.map((m) => m.toFixed(1)).join(', ')} ms; spool drained ${recoveryMs} ms after Redis restarted`);
  });

  it('spools an add that hangs (a frozen Redis), and the late add plus the spool still make one job', async () => {
    const frozen = await startLocalRedis();
    const conn = createRedis(frozen.url, 'producer');
    const pid = Number(/process_id:(\d+)/.exec(await conn.info('server'))?.[1]);
    const queueName = `dispatch-${randomBytes(3).toString('hex')}`;
    const d = new Dispatcher({ redisUrl: frozen.url, queueName, spoolDir: join(root, 'spool-frozen'), addTimeoutMs: 300, retryMinMs: 100, retryMaxMs: 200 });
    const queue = new Queue(queueName, { connection: conn });
    try {
      const c = (await new CaseStore(conn, { prefix: 'f' }).openOrUpdate(testEvent(), testContext())).case;
      await queue.waitUntilReady();
      await until('the dispatcher connection', () => d.connected, 5000);
      process.kill(pid, 'SIGSTOP');
      const t0 = performance.now();
      expect(await d.dispatch(buildDispatchPayload(c, testType(c.eventType)))).toBe('spooled');
      const ms = performance.now() - t0;
      expect(ms).toBeGreaterThanOrEqual(290);
      expect(ms).toBeLessThan(1500);
      process.kill(pid, 'SIGCONT');
      await until('the spool to drain', () => d.spooledCount === 0);
      expect((await queue.getJobs(ALL_STATES)).map((j) => j.id)).toEqual([c.id]);
    } finally {
      process.kill(pid, 'SIGCONT');
      await d.close();
      await queue.close();
      await closeRedis(conn);
      await frozen.close();
    }
  });

  it('refuses an invalid payload instead of spooling it', async () => {
    const d = new Dispatcher({ redisUrl: 'redis://127.0.0.1:1', spoolDir: join(root, 'spool-bad') });
    try {
      await expect(d.dispatch({ caseId: 'x' } as unknown as DispatchPayloadV1)).rejects.toThrow(/does not match/);
      expect(d.spooledCount).toBe(0);
    } finally {
      await d.close();
    }
  });
});
