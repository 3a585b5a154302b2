import { randomBytes } from 'node:crypto';
import express from 'express';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCase } from '../cases/case-transitions.ts';
import { TEST_TYPES, testContext, testEvent } from '../cases/case-test-fixtures.ts';
import { CaseStore } from '../cases/case-store.ts';
import { type TestRecord, openTestRecord } from '../cases/test-record.ts';
import { createLogger } from '../log.ts';
import { liveStreamKey } from '../live/live-event.ts';
import { LiveHub } from '../live/live-hub.ts';
import { LivePublisher } from '../live/live-publisher.ts';
import type { VisitAnalysis } from '../visit/camera-visitor.ts';
import { errorMiddleware } from './api-errors.ts';
import { type HttpServer, listen } from './http-server.ts';
import { liveRoutes } from './live-routes.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

interface Received {
  id?: string;
  event: string;
  data: unknown;
}

/** Reads an SSE response into messages as they come; `next(n)` waits for n more. */
function sseReader(res: Response): { next: (n: number) => Promise<Received[]>; close: () => Promise<void>; ended: Promise<void> } {
  const reader = res.body!.getReader();
  const queue: Received[] = [];
  let buf = '';
  let wake: (() => void) | undefined;
  const ended = (async () => {
    const dec = new TextDecoder();
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done) break;
      buf += dec.decode(value, { stream: true });
      let cut: number;
      while ((cut = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        const fields = Object.fromEntries(block.split('\n').filter((l) => !l.startsWith(':') && l.includes(': ')).map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]));
        if (fields.data) queue.push({ ...(fields.id ? { id: fields.id } : {}), event: fields.event ?? 'message', data: JSON.parse(fields.data) });
      }
      wake?.();
    }
    wake?.();
  })();
  let done = false;
  void ended.then(() => (done = true));
  return {
    async next(n) {
      const end = Date.now() + 10_000;
      while (queue.length < n && !done && Date.now() < end) await new Promise<void>((r) => ((wake = r), setTimeout(r, 200)));
      return queue.splice(0, n);
    },
    close: () => reader.cancel(),
    ended,
  };
}

const visit = (cameraId: string, state: string, ok = true): VisitAnalysis => ({ cameraId, ok, frames: ok ? 3 : 0, detections: [], health: { state }, eligibleAt: 0, ...(ok ? {} : { error: 'camera broken: RTSP 404 Not Found' }) });

describe('live feed: Redis stream -> SSE with Last-Event-ID resume', () => {
  const prefix = `gwlive${randomBytes(4).toString('hex')}`;
  let redis: Redis;
  let hub: LiveHub;
  let server: HttpServer;
  let publisher: LivePublisher;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    hub = new LiveHub({ redisUrl: REDIS_URL, prefix, log: createLogger('live-test') });
    hub.start();
    const app = express();
    app.use('/api/live', liveRoutes({ hub, redis, heartbeatMs: 60_000 }).router);
    // As a grid worker would get it: only events of cameras in their grid (here: cam-2's).
    app.use('/api/live-scoped', liveRoutes({ hub, redis, visibleTo: () => (e) => 'cameraId' in e && e.cameraId === 'cam-2' }).router);
    app.use(errorMiddleware(createLogger('live-test')));
    server = await listen(app, '127.0.0.1', 0);
    publisher = new LivePublisher({ redis, prefix });
  });
  afterAll(async () => {
    await hub?.close();
    await server?.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('streams visits, health changes and cases; a resuming client gets exactly what it missed', async () => {
    const res = await fetch(`${server.url}/api/live`);
    expect(res.status).toBe(200);
    const scoped = sseReader(await fetch(`${server.url}/api/live-scoped`));
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const a = sseReader(res);
    // XREAD starts at '$': give the reader a moment to be blocked before publishing.
    await new Promise((r) => setTimeout(r, 300));

    await publisher.visited(visit('cam-1', 'online'));
    await publisher.visited(visit('cam-1', 'online'));
    await publisher.visited(visit('cam-1', 'degraded', false));
    const c = openCase('c-1', testEvent({ cameraId: 'cam-1' }), testContext(), Date.now()).next;
    await publisher.caseFiled({ case: c, created: true, outcome: 'opened', rendered: false });
    await publisher.caseFiled({ case: c, created: false, outcome: 'suppressed', rendered: false });
    const got = await a.next(6);
    expect(got.map((m) => m.event)).toEqual(['visit', 'health', 'visit', 'visit', 'health', 'case']);
    expect(got[1]!.data).toMatchObject({ cameraId: 'cam-1', from: 'unknown', to: 'online' });
    expect(got[4]!.data).toMatchObject({ from: 'online', to: 'degraded', error: 'camera broken: RTSP 404 Not Found' });
    expect(got[5]!.data).toMatchObject({ kind: 'case', outcome: 'opened', case: { id: 'c-1', cameraId: 'cam-1', status: 'opened' } });
    // The suppressed sighting is not news: the next message is the visit published after it.
    await publisher.visited(visit('cam-1', 'degraded', false));
    expect((await a.next(1)).map((m) => m.event)).toEqual(['visit']);
    await a.close();

    // Missed while away: two entries (and a malformed one, skipped); resumed from the last id seen.
    const last = got[5]!.id!;
    await publisher.visited(visit('cam-1', 'degraded', false)); // seen by nobody yet: must be replayed too
    await publisher.visited(visit('cam-2', 'online'));
    await redis.xadd(liveStreamKey(prefix), '*', 'e', '{"kind":"nonsense"}');
    const b = sseReader(await fetch(`${server.url}/api/live`, { headers: { 'Last-Event-ID': last } }));
    const missed = await b.next(4);
    expect(missed.map((m) => [m.event, (m.data as { cameraId: string }).cameraId])).toEqual([
      ['visit', 'cam-1'],
      ['visit', 'cam-1'],
      ['visit', 'cam-2'],
      ['health', 'cam-2'],
    ]);
    await publisher.visited(visit('cam-2', 'online'));
    expect((await b.next(1)).map((m) => m.event)).toEqual(['visit']);

    // The scoped stream saw only cam-2's events, all of them.
    expect((await scoped.next(3)).map((m) => [m.event, (m.data as { cameraId: string }).cameraId])).toEqual([
      ['visit', 'cam-2'],
      ['health', 'cam-2'],
      ['visit', 'cam-2'],
    ]);
    // Closing the hub ends open streams (the HTTP server can then stop at once).
    await hub.close();
    await Promise.all([b.ended, scoped.ended]);
  });

  it('a malformed Last-Event-ID is a 400 naming it', async () => {
    const res = await fetch(`${server.url}/api/live?lastEventId=abc`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'BAD_REQUEST', field: 'Last-Event-ID' } });
  });
});

describe('live feed: overdue cases, once each, from the record into the stream', () => {
  const prefix = `gwlive${randomBytes(4).toString('hex')}`;
  let redis: Redis;
  let hub: LiveHub;
  let server: HttpServer;
  let rec: TestRecord;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    rec = await openTestRecord('embedded');
    hub = new LiveHub({ redisUrl: REDIS_URL, prefix, log: createLogger('live-test') });
    hub.start();
    const app = express();
    app.use('/api/live', liveRoutes({ hub, redis }).router);
    server = await listen(app, '127.0.0.1', 0);
  });
  afterAll(async () => {
    await hub?.close();
    await server?.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    await rec?.close();
  });

  it('pushes each case the moment a worker flags it overdue, with a stream id to resume from; two workers flag it once', async () => {
    const T0 = Date.now();
    let clock = T0;
    const stores = [0, 1].map(() => new CaseStore(rec.handle.db, { eventType: (id) => TEST_TYPES.find((t) => t.id === id), now: () => clock }));
    const publishers = [0, 1].map(() => new LivePublisher({ redis, prefix }));
    const { case: fire } = await stores[0]!.openOrUpdate(testEvent({ eventType: 'fire_smoke', at: T0 }), testContext('fire_smoke'));
    const { case: parking } = await stores[0]!.openOrUpdate(testEvent({ at: T0 }), testContext());
    const a = sseReader(await fetch(`${server.url}/api/live`));
    await new Promise((r) => setTimeout(r, 300)); // XREAD starts at '$': let the reader block first
    // The worker's overdue pass, as run does it: flag in the record, push what was flagged now.
    const pass = async (i: number): Promise<void> => {
      for (const c of await stores[i]!.flagOverdue()) await publishers[i]!.overdue(c);
    };
    clock = T0 + 11 * 60_000; // fire: 10 minutes; parking: 120
    await Promise.all([pass(0), pass(1)]);
    await pass(0);
    clock = T0 + 121 * 60_000;
    await Promise.all([pass(1), pass(0)]);
    const got = await a.next(2);
    expect(got.map((m) => [m.event, (m.data as { case: { id: string } }).case.id])).toEqual([
      ['overdue', fire.id],
      ['overdue', parking.id],
    ]);
    expect(got[0]!.id).toMatch(/^\d+-\d+$/);
    expect(got[0]!.data).toMatchObject({ kind: 'overdue', at: T0 + 11 * 60_000, case: { id: fire.id, status: 'opened', overdueAt: T0 + 11 * 60_000, deadline: fire.deadline, responsibleUnit: fire.responsibleUnit, grid: 'g1' } });
    await a.close();
    // A console that was away gets the notice it missed from the stream.
    const b = sseReader(await fetch(`${server.url}/api/live`, { headers: { 'Last-Event-ID': got[0]!.id! } }));
    expect((await b.next(1)).map((m) => (m.data as { case: { id: string } }).case.id)).toEqual([parking.id]);
    await b.close();
    expect(await redis.xlen(liveStreamKey(prefix))).toBe(2);
  });
});
