import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promtool, sample } from '../../test-fixtures/lib/promtool.ts';
import { waitFor } from '../../test-fixtures/lib/wait-for.ts';
import { type RtspTestServer, cocoImage, startRtspServer } from '../../test-fixtures/lib/rtsp-server.ts';
import { loadConfig } from '../config/load-config.ts';
import { createScratchDatabase, type ScratchDatabase } from '../db/scratch-database.ts';
import { type LocalRedis, startLocalRedis } from '../distributed/local-redis.ts';
import { closeRedis, createRedis } from '../distributed/redis-connection.ts';
import { type Running, startGridworker } from '../gridworker-main.ts';
import { openIdentity } from '../identity/open-identity.ts';
import type { Role } from '../identity/roles.ts';


/**
 * A worker-only process and a scheduler-only process (split roles on a shared PostgreSQL record
 * and a redis-server of the test's own) each serve GET /metrics on their own port, behind the same
 * permission as the API's /metrics: a token whose role may read metrics.
 */
describe('the metrics endpoint of processes without the api role', () => {
  let rtsp: RtspTestServer;
  let redis: LocalRedis;
  let scratch: ScratchDatabase;
  let worker: Running | undefined;
  let scheduler: Running | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'gw-metrics-ep-'));
  const tokens: Partial<Record<Role, string>> = {};

  beforeAll(async () => {
    [rtsp, redis, scratch] = await Promise.all([
      startRtspServer({ streams: [{ path: 'street-bus', source: { kind: 'still', image: cocoImage('000000000641') } }] }),
      startLocalRedis(),
      createScratchDatabase(undefined, 'metricsep'),
    ]);
    writeFileSync(
      join(dir, 'gridworker.yaml'),
      [
        'cameras:',
        `  - { id: bus, name: Bus stop, url: "${rtsp.url('street-bus')}", areaType: street, grid: g1, priority: key }`,
        'patrol: { revisitTargets: { key: 5, normal: 30, low: 60 }, dwell: { frames: 2, spacingMs: 200 }, visitsInFlightPerWorker: 1, detectorProcesses: 0 }',
        'models: { default: fastestdet-352-coco }',
        `redis: { url: "${redis.url}", prefix: gwt-mep }`,
        'api: { host: 127.0.0.1, port: 0, metricsPort: 0 }',
        'storage: { dir: data, minFreeMb: 0 }',
        '',
      ].join('\n'),
    );
    const config = await loadConfig(join(dir, 'gridworker.yaml'));
    const common = { config, configDir: dir, redisUrl: redis.url, databaseUrl: scratch.url };
    worker = await startGridworker({ ...common, roles: ['worker'] });
    scheduler = await startGridworker({ ...common, roles: ['scheduler'] });
    const conn = createRedis(redis.url, 'producer');
    try {
      const identity = openIdentity(worker.database!.db, conn, 'gwt-mep');
      for (const role of ['viewer', 'grid_worker'] as const) {
        tokens[role] = `Bearer ${(await identity.accounts.createToken({ name: `scraper-${role.replace('_', '-')}`, role, grids: role === 'grid_worker' ? ['g1'] : [] }, { actor: 'test' })).token}`;
      }
    } finally {
      await closeRedis(conn);
    }
  }, 120_000);
  afterAll(async () => {
    await scheduler?.close();
    await worker?.close();
    await Promise.all([rtsp?.close(), redis?.close(), scratch?.drop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const scrape = async (base: string, authorization?: string): Promise<{ status: number; text: string }> => {
    const res = await fetch(`${base}/metrics`, { headers: authorization ? { authorization } : {} });
    return { status: res.status, text: await res.text() };
  };

  it('a worker alone serves its visit, frame and model metrics, clean under promtool check metrics', async () => {
    expect(worker!.api).toBeUndefined();
    const base = worker!.metricsEndpoint!.url;
    const text = await waitFor('a visit in the worker metrics', async () => {
      const r = await scrape(base, tokens.viewer);
      expect(r.status).toBe(200);
      return sample(r.text, 'gridworker_visits_total{outcome="ok",error_code=""}') ? r.text : undefined;
    }, 60_000, { everyMs: 250 });
    const check = promtool(['check', 'metrics'], text);
    expect(check.out).toBe('');
    expect(check.code).toBe(0);
    expect(text).toMatch(/^gridworker_frames_analysed_total\{model="fastestdet-352-coco@\S+"\} ([2-9]|\d\d)/m);
    expect(text).toMatch(/^gridworker_inference_seconds_count\{model="fastestdet-352-coco@\S+"\} [1-9]/m);
    expect(text).toMatch(/^gridworker_first_frame_seconds_count [1-9]/m);
    expect(sample(text, 'gridworker_storage_ok')).toBe(1);
    expect(text).toMatch(/^gridworker_nodejs_eventloop_lag_seconds \d/m);
    // State shared through Redis and the record (patrol, cases) is the API process's to export, once.
    expect(text).not.toMatch(/^gridworker_patrol_cameras/m);
    expect(text).not.toMatch(/^gridworker_cases\{/m);
  });

  it('deny by default: no token 401, a role without metrics:read 403, any other path 404; /healthz public', async () => {
    const base = worker!.metricsEndpoint!.url;
    expect((await scrape(base)).status).toBe(401);
    expect((await scrape(base, 'Bearer gwt_not-a-token')).status).toBe(401);
    const forbidden = await scrape(base, tokens.grid_worker);
    expect(forbidden.status).toBe(403);
    expect(forbidden.text).not.toMatch(/gridworker_/);
    for (const path of ['/api/cameras', '/api/openapi.json', '/readyz', '/']) {
      expect((await fetch(`${base}${path}`, { headers: { authorization: tokens.viewer! } })).status, path).toBe(404);
    }
    const health = await fetch(`${base}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { ok: true }]);
  });

  it('a scheduler alone (with DATABASE_URL) serves its process metrics the same way', async () => {
    const base = scheduler!.metricsEndpoint!.url;
    expect(base).not.toBe(worker!.metricsEndpoint!.url);
    expect((await scrape(base)).status).toBe(401);
    const r = await scrape(base, tokens.viewer);
    expect(r.status).toBe(200);
    expect(r.text).toMatch(/^gridworker_process_resident_memory_bytes \d/m);
    expect(promtool(['check', 'metrics'], r.text).code).toBe(0);
  });
});
