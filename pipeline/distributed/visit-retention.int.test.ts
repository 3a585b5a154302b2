/** Visit records in Redis past the retention age are deleted; newer ones and other keys stay (real Redis). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRedis, startLocalRedis } from './local-redis.ts';
import { PatrolStore, type VisitRecord } from './patrol-store.ts';
import { closeRedis, createRedis } from './redis-connection.ts';

const DAY = 86_400_000;

const visit = (cameraId: string, finishedAt: number): VisitRecord => ({
  cameraId,
  jobId: `job-${cameraId}-${finishedAt}`,
  workerId: 'w1',
  ok: true,
  startedAt: finishedAt - 2000,
  finishedAt,
  frames: 3,
  detections: [],
});

describe('visit record retention on real Redis', () => {
  let local: LocalRedis;
  let redis: ReturnType<typeof createRedis>;
  let store: PatrolStore;

  beforeAll(async () => {
    local = await startLocalRedis();
    redis = createRedis(local.url, 'producer');
    store = new PatrolStore(redis, 'gwt-retention');
  });
  afterAll(async () => {
    await closeRedis(redis);
    await local.close();
  });

  it('deletes visits that finished before the cutoff from every camera list and the stream, keeps the rest', async () => {
    const now = Date.now();
    const cutoff = now - 30 * DAY;
    // Old stream entries as they were added then (stream ids are the ms of the add), then recent visits.
    for (const age of [60, 45, 31]) await redis.xadd(store.key('visit-stream'), `${now - age * DAY}-0`, 'visit', JSON.stringify(visit('cam-1', now - age * DAY)));
    const old = [visit('cam-1', now - 60 * DAY), visit('cam-1', now - 31 * DAY), visit('cam-2', now - 40 * DAY)];
    const recent = [visit('cam-1', now - 29 * DAY), visit('cam-1', now - 1000), visit('cam-3', now - 5 * DAY)];
    for (const v of [...old, ...recent].sort((a, b) => a.finishedAt - b.finishedAt)) await store.recordVisit(v);
    // An entry nothing can read sits at a list's tail: it goes too, or it would block the list forever.
    await redis.rpush(store.key('visits:cam-3'), 'not json');
    await redis.set('gwt-other:visits:cam-1', 'someone else');

    const report = await store.pruneVisits(cutoff);
    // The six visits recorded now are stream entries of now; the three added back then go.
    expect(report).toEqual({ lists: 3, records: 4, streamEntries: 3 });
    expect((await store.recentVisits('cam-1', 50)).map((v) => v.finishedAt)).toEqual([now - 1000, now - 29 * DAY]);
    expect(await store.recentVisits('cam-2', 50)).toEqual([]);
    expect(await redis.exists(store.key('visits:cam-2'))).toBe(0);
    expect((await store.recentVisits('cam-3', 50)).map((v) => v.jobId)).toEqual([recent[2]!.jobId]);
    expect(await redis.llen(store.key('visits:cam-3'))).toBe(1);
    const stream = await redis.xrange(store.key('visit-stream'), '-', '+');
    expect(stream.every(([id]) => Number(id.split('-')[0]) >= cutoff)).toBe(true);
    expect(stream).toHaveLength(6);
    expect(await redis.get('gwt-other:visits:cam-1')).toBe('someone else');
    // Nothing left to prune: a second pass changes nothing.
    expect(await store.pruneVisits(cutoff)).toEqual({ lists: 0, records: 0, streamEntries: 0 });
  });
});
