import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRedis, startLocalRedis } from '../distributed/local-redis.ts';
import { PatrolStore } from '../distributed/patrol-store.ts';
import { closeRedis, createRedis } from '../distributed/redis-connection.ts';
import type { ApiCamera } from './api-context.ts';
import { createApiApp } from './api-app.ts';
import { type TestAuth, testAuth } from './auth-test-kit.ts';
import { type HttpServer, listen } from './http-server.ts';

const cameras: ApiCamera[] = [
  { id: 'cam-1', name: 'School gate', areaType: 'school', grid: 'g1', priority: 'key', enabled: true, url: 'rtsp://***:***@10.0.0.5/live', zones: [] },
  { id: 'cam-2', name: 'Market street', areaType: 'market', grid: 'g2', priority: 'normal', enabled: true, url: 'rtsp://10.0.0.6/live', zones: [] },
];

describe('HTTP control API on a real Redis', () => {
  let redis: LocalRedis;
  let server: HttpServer;
  let store: PatrolStore;
  let conn: ReturnType<typeof createRedis>;
  let kit: TestAuth;
  let admin: string;
  const storage = mkdtempSync(join(tmpdir(), 'gw-api-'));

  beforeAll(async () => {
    redis = await startLocalRedis();
    conn = createRedis(redis.url, 'producer');
    store = new PatrolStore(conn, 'gwt');
    kit = await testAuth(conn);
    admin = await kit.bearer('admin');
    server = await listen(createApiApp({ store, cameras: () => cameras, storageDir: storage, auth: kit.auth }), '127.0.0.1', 0);
  });
  afterAll(async () => {
    await server.close();
    await kit.cleanup();
    await closeRedis(conn);
    await redis.close();
    rmSync(storage, { recursive: true, force: true });
  });

  const call = async (method: string, path: string, body?: string) => {
    const res = await fetch(`${server.url}${path}`, { method, headers: { authorization: admin, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body });
    const type = res.headers.get('content-type') ?? '';
    return { status: res.status, type, json: type.includes('json') ? ((await res.json()) as Record<string, unknown>) : null };
  };

  it('reports a stopped patrol with no leader, then follows start / pause / resume / stop', async () => {
    const s = await call('GET', '/api/patrol/status');
    expect(s.status).toBe(200);
    expect(s.json).toMatchObject({ state: 'stopped', leader: null });
    for (const [cmd, state] of [['start', 'running'], ['pause', 'paused'], ['resume', 'running'], ['stop', 'stopped']] as const) {
      const r = await call('POST', `/api/patrol/${cmd}`);
      expect(r).toMatchObject({ status: 200, json: { state } });
      expect(await store.getRunState()).toBe(state);
    }
    const audit = await kit.identity.store.listAudit(4);
    expect(audit.map((a) => [a.action, a.actor, a.role])).toEqual([
      ['patrol.stop', 'token:t-admin-1', 'admin'],
      ['patrol.resume', 'token:t-admin-1', 'admin'],
      ['patrol.pause', 'token:t-admin-1', 'admin'],
      ['patrol.start', 'token:t-admin-1', 'admin'],
    ]);
    expect(audit[0]!.ip).toMatch(/127\.0\.0\.1/);
  });

  it('queues visit-now for a known camera and answers 400 / 404 for bad requests', async () => {
    expect(await call('POST', '/api/patrol/visit-now', JSON.stringify({ cameraId: 'cam-2' }))).toMatchObject({ status: 202 });
    expect(await store.takeVisitNowRequests()).toEqual(['cam-2']);
    const missing = await call('POST', '/api/patrol/visit-now', JSON.stringify({}));
    expect(missing).toMatchObject({ status: 400, json: { error: { code: 'BAD_REQUEST', field: 'cameraId' } } });
    const unknown = await call('POST', '/api/patrol/visit-now', JSON.stringify({ cameraId: 'cam-9' }));
    expect(unknown).toMatchObject({ status: 404, json: { error: { code: 'NOT_FOUND' } } });
    const badJson = await call('POST', '/api/patrol/visit-now', '{"cameraId":');
    expect(badJson).toMatchObject({ status: 400, json: { error: { code: 'BAD_JSON', field: 'body' } } });
  });

  it('changes revisit targets live and names the bad field', async () => {
    expect(await call('PUT', '/api/patrol/targets', JSON.stringify({ key: 60, normal: 600 }))).toMatchObject({ status: 200, json: { targets: { key: 60, normal: 600 } } });
    expect(JSON.parse((await store.getPlanOverrideRaw())!)).toEqual({ key: 60, normal: 600 });
    expect(await call('PUT', '/api/patrol/targets', JSON.stringify({ key: 1 }))).toMatchObject({ status: 400, json: { error: { field: 'key' } } });
    expect(await call('PUT', '/api/patrol/targets', JSON.stringify({ vip: 10 }))).toMatchObject({ status: 400, json: { error: { field: 'vip' } } });
    expect(await call('PUT', '/api/patrol/targets', JSON.stringify([1]))).toMatchObject({ status: 400, json: { error: { field: 'body' } } });
  });

  it('lists cameras with health and masked URLs, filters by grid, and 404s unknown routes', async () => {
    await store.setHealth('cam-1', { cameraId: 'cam-1', state: 'online', consecutiveFailures: 0, backoffMs: 0, visits: 1, failures: 0 });
    const list = await call('GET', '/api/cameras');
    expect(list.status).toBe(200);
    const cams = (list.json as { cameras: { id: string; url: string; health: { state: string } }[] }).cameras;
    expect(cams.map((c) => [c.id, c.health.state])).toEqual([['cam-1', 'online'], ['cam-2', 'unknown']]);
    expect(JSON.stringify(list.json)).not.toMatch(/:\/\/[^*/]+:[^*@]+@/);
    const g2 = await call('GET', '/api/cameras?grid=g2');
    expect((g2.json as { count: number }).count).toBe(1);
    expect(await call('GET', '/api/cameras/cam-9')).toMatchObject({ status: 404 });
    expect(await call('GET', '/api/cameras/bad%20id')).toMatchObject({ status: 400, json: { error: { field: 'id' } } });
    // Every filter is validated: a bad value or an unknown key is a 400 naming it, never an empty 200.
    expect(await call('GET', '/api/cameras?health=bogus')).toMatchObject({ status: 400, json: { error: { field: 'health' } } });
    expect(await call('GET', '/api/cameras?cameraId=cam-1')).toMatchObject({ status: 400, json: { error: { field: 'cameraId', message: 'cameraId: unknown query parameter cameraId' } } });
    expect((await call('GET', '/api/cameras?health=online')).json).toMatchObject({ count: 1 });
    expect(await call('GET', '/api/cameras/cam-1/visits?limit=0')).toMatchObject({ status: 400, json: { error: { field: 'limit' } } });
    expect(await call('GET', '/api/nothing')).toMatchObject({ status: 404, json: { error: { code: 'NOT_FOUND' } } });
  });

  it('serves the latest frame as JPEG once there is one', async () => {
    expect(await call('GET', '/api/cameras/cam-1/latest.jpg')).toMatchObject({ status: 404 });
    mkdirSync(join(storage, 'latest'), { recursive: true });
    writeFileSync(join(storage, 'latest', 'cam-1.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
    const r = await fetch(`${server.url}/api/cameras/cam-1/latest.jpg`, { headers: { authorization: admin } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await r.arrayBuffer())).toEqual(Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
  });

  it('answers 503 with a clear message when Redis is gone', async () => {
    const dead = createRedis('redis://127.0.0.1:1', 'producer');
    const app = createApiApp({ store: new PatrolStore(dead, 'gwt'), cameras: () => cameras, storageDir: storage, auth: kit.auth });
    const s = await listen(app, '127.0.0.1', 0);
    try {
      const res = await fetch(`${s.url}/api/patrol/pause`, { method: 'POST', headers: { authorization: admin } });
      expect(res.status).toBe(503);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('UNAVAILABLE');
      expect(body.error.message).toMatch(/Redis is not reachable/);
    } finally {
      await s.close();
      await closeRedis(dead);
    }
  });
});
