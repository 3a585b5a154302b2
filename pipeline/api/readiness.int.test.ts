import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config.ts';
import { waitFor } from '../../test-fixtures/lib/wait-for.ts';
import { type OwnPostgres, startOwnPostgres } from '../../test-fixtures/lib/own-postgres.ts';
import { freePort, type LocalRedis, startLocalRedis } from '../distributed/local-redis.ts';
import { type Running, startGridworker } from '../gridworker-main.ts';


const get = async (url: string, authorization?: string): Promise<{ status: number; body: unknown; text: string }> => {
  const res = await fetch(url, authorization ? { headers: { authorization } } : {});
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, body, text };
};

/** What a driver or client library would say: none of it may reach an answer. */
const INTERNALS = /maxRetriesPerRequest|ioredis|ECONNREFUSED|ECONNRESET|Stream isn't writeable|terminated unexpectedly|postgres:\/\/|127\.0\.0\.1:\d+|\bat \S+\.(ts|js):\d+/;

/** An answer is a plain 503: the contract's JSON error, UNAVAILABLE, naming the dependency and no internals. */
const expectPlain503 = (r: { status: number; body: unknown; text: string }, path: string, dependency: RegExp): void => {
  expect(r.status, `${path}: ${r.text}`).toBe(503);
  expect(r.body, path).toEqual({ error: { code: 'UNAVAILABLE', message: expect.stringMatching(dependency) } });
  expect(r.text, path).not.toMatch(INTERNALS);
};

describe('/healthz, /readyz, and PostgreSQL then Redis killed mid-run (servers this test started)', () => {
  let redis: LocalRedis;
  let pgs: OwnPostgres;
  let running: Running | undefined;
  let token: string;
  const dir = mkdtempSync(join(tmpdir(), 'gw-ready-'));

  beforeAll(async () => {
    [redis, pgs] = await Promise.all([startLocalRedis(), startOwnPostgres(await freePort())]);
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
    running = await startGridworker({ config, configDir: dir, roles: ['scheduler', 'api'], redisUrl: redis.url, apiPort: 0, databaseUrl: pgs.url });
    // An engineer reads everything, the system audit included.
    token = `Bearer ${(await running.identity!.accounts.createToken({ name: 'outage-reader', role: 'engineer' }, { actor: 'test' })).token}`;
  });
  afterAll(async () => {
    await running?.close();
    await redis?.close();
    await pgs?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ready once a leader publishes; PostgreSQL killed: the record routes a plain 503, /readyz names cases; back: 200', async () => {
    const base = running!.api!.url;
    const ready = await waitFor('/readyz 200', async () => {
      const r = await get(`${base}/readyz`);
      return r.status === 200 ? r.body : undefined;
    }, 10_000, { everyMs: 50 });
    expect(ready).toMatchObject({ ready: true, failing: [], checks: { redis: { ok: true }, cases: { ok: true }, storage: { ok: true }, leader: { ok: true } } });
    expect((await get(`${base}/api/cameras`)).status).toBe(401); // up: it answers (and wants a login)
    expect((await get(`${base}/api/cases`, token)).status).toBe(200);

    await pgs.kill();

    // Tokens are in the record too: once the 1 s reuse of a token read is over, every call says the record is away.
    const recordRoutes = ['/api/cases', '/api/cases/c_000000000_0000000000', '/api/cases/c_000000000_0000000000/audit', '/api/units/evaluation', '/api/audit', '/api/cameras'];
    await waitFor('a 503 once the token read is not reused', async () => ((await get(`${base}/api/cameras`, token)).status === 503 ? true : undefined), 5_000, { everyMs: 50 });
    for (const path of recordRoutes) expectPlain503(await get(`${base}${path}`, token), path, /the record \(PostgreSQL\) is not reachable; try again shortly$/);
    expect((await get(`${base}/healthz`)).status).toBe(200);
    const notReady = await get(`${base}/readyz`);
    expect(notReady.status).toBe(503);
    expect(notReady.body).toMatchObject({ ready: false, failing: ['cases'], checks: { redis: { ok: true }, cases: { ok: false, message: 'the case store does not answer' } } });

    await pgs.start();
    await waitFor('the case list after PostgreSQL came back', async () => ((await get(`${base}/api/cases`, token)).status === 200 ? true : undefined), 20_000, { everyMs: 50 });
    expect((await get(`${base}/readyz`)).status).toBe(200);
  });

  it('Redis killed: /healthz 200, /readyz 503 naming redis, every API call a plain 503 at once', async () => {
    const base = running!.api!.url;
    await redis.close();

    const down = await waitFor('a 503 from /api/cameras', async () => {
      const r = await get(`${base}/api/cameras`);
      return r.status === 503 ? r : undefined;
    }, 5_000, { everyMs: 50 });
    expect(down.body).toEqual({ error: { code: 'UNAVAILABLE', message: 'Redis is not reachable; try again shortly' } });
    for (const path of ['/api/patrol/status', '/api/cases', '/api/cameras/cam-1/visits', '/api/wall/tiles?cameras=cam-1', '/api/live', '/api/me']) {
      for (const auth of [undefined, token]) expectPlain503(await get(`${base}${path}`, auth), path, /Redis is not reachable; try again shortly$/);
    }
    expect((await get(`${base}/healthz`)).status).toBe(200);
    const notReady = await get(`${base}/readyz`);
    expect(notReady.status).toBe(503);
    // The cases live in the record (PostgreSQL), not in Redis: they stay ready.
    expect(notReady.body).toMatchObject({ ready: false, checks: { redis: { ok: false, message: 'Redis is not reachable' }, cases: { ok: true }, storage: { ok: true } } });
    expect((notReady.body as { failing: string[] }).failing).toEqual(['redis', 'leader']);
  });
});
