import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config.ts';
import { type LocalRedis, startLocalRedis } from '../distributed/local-redis.ts';
import { createScratchDatabase, type ScratchDatabase } from '../db/scratch-database.ts';
import { type Running, startGridworker } from '../gridworker-main.ts';

const waitFor = async <T>(fn: () => Promise<T | undefined>, ms: number, what: string): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

const get = async (url: string): Promise<{ status: number; body: unknown; text: string }> => {
  const res = await fetch(url);
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, body, text };
};

describe('/healthz, /readyz and a Redis killed mid-run (a redis-server this test started)', () => {
  let redis: LocalRedis;
  let running: Running | undefined;
  let scratch: ScratchDatabase | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'gw-ready-'));

  beforeAll(async () => {
    [redis, scratch] = await Promise.all([startLocalRedis(), createScratchDatabase(undefined, 'ready')]);
    writeFileSync(
      join(dir, 'gridworker.yaml'),
      [
        'cameras:',
        '  - { id: cam-1, name: Corner, url: "rtsp://127.0.0.1:1/x", areaType: street, grid: g1 }',
        `redis: { url: "${redis.url}", prefix: gwt-ready }`,
        'storage: { dir: data, minFreeMb: 0 }',
        'api: { host: 127.0.0.1, port: 0 }',
        '',
      ].join('\n'),
    );
    const config = await loadConfig(join(dir, 'gridworker.yaml'));
    running = await startGridworker({ config, configDir: dir, roles: ['scheduler', 'api'], redisUrl: redis.url, apiPort: 0, databaseUrl: scratch.url });
  });
  afterAll(async () => {
    await running?.close();
    await redis?.close();
    await scratch?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ready once a leader publishes; after Redis dies: /healthz 200, /readyz 503 naming redis, API calls a plain 503', async () => {
    const base = running!.api!.url;
    const ready = await waitFor(async () => {
      const r = await get(`${base}/readyz`);
      return r.status === 200 ? r.body : undefined;
    }, 10_000, '/readyz 200');
    expect(ready).toMatchObject({ ready: true, failing: [], checks: { redis: { ok: true }, cases: { ok: true }, storage: { ok: true }, leader: { ok: true } } });
    expect((await get(`${base}/api/cameras`)).status).toBe(401); // up: it answers (and wants a login)

    await redis.close();

    const down = await waitFor(async () => {
      const r = await get(`${base}/api/cameras`);
      return r.status === 503 ? r : undefined;
    }, 5_000, 'a 503 from /api/cameras');
    expect(down.body).toEqual({ error: { code: 'UNAVAILABLE', message: 'Redis is not reachable; try again shortly' } });
    for (const path of ['/api/patrol/status', '/api/cases', '/api/cameras/cam-1/visits']) {
      const r = await get(`${base}${path}`);
      expect(r.status, path).toBe(503);
      expect(r.text).not.toMatch(/maxRetriesPerRequest|ioredis|ECONNREFUSED|Stream isn't writeable/);
    }
    expect((await get(`${base}/healthz`)).status).toBe(200);
    const notReady = await get(`${base}/readyz`);
    expect(notReady.status).toBe(503);
    // The cases live in the record (PostgreSQL), not in Redis: they stay ready.
    expect(notReady.body).toMatchObject({ ready: false, checks: { redis: { ok: false, message: 'Redis is not reachable' }, cases: { ok: true }, storage: { ok: true } } });
    expect((notReady.body as { failing: string[] }).failing).toEqual(['redis', 'leader']);
  });
});
