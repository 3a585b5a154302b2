import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RtspTestServer, startRtspServer } from '../test-fixtures/lib/rtsp-server.ts';
import type { AuditEntry, CaseRecord } from './cases/case-model.ts';
import { loadConfig } from './config/load-config.ts';
import { type LocalRedis, startLocalRedis } from './distributed/local-redis.ts';
import { type Running, startGridworker } from './gridworker-main.ts';

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false | null>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/**
 * The AI re-check end to end, on the embedded database (no DATABASE_URL, all roles in one
 * process: the npm start default): a bus parked in the road and a crowd at a school gate open
 * cases; both are accepted and marked handled. The bus-stop camera is then switched to a scene
 * with no vehicle in the road (the config reload points it at another stream): its re-check finds
 * the bus gone and closes the case with a before/after pair. The crowd is still there: its case
 * reopens with the new frame, counted against the unit.
 */
describe('AI re-check (核查比对) on fixture cameras whose scene changes', () => {
  let rtsp: RtspTestServer;
  let redis: LocalRedis;
  let running: Running;
  const dir = mkdtempSync(join(tmpdir(), 'gw-recheck-'));
  const configText = (busStream: string) =>
    [
      'cameras:',
      `  - id: bus-stop\n    name: Bus stop\n    url: "${rtsp.url(busStream)}"\n    areaType: transport_hub\n    grid: g1\n    priority: key`,
      '    zones: [{ name: road, kind: no_parking, points: [[0, 0.72], [1, 0.64], [1, 1], [0, 1]] }]',
      `  - id: school\n    name: School gate\n    url: "${rtsp.url('crowd')}"\n    areaType: school\n    grid: g1\n    priority: key`,
      '    zones: [{ name: gate, kind: crowd_watch, points: [[0, 0.5], [1, 0.5], [1, 1], [0, 1]] }]',
      'patrol:',
      '  revisitTargets: { key: 5, normal: 30, low: 60 }',
      '  dwell: { frames: 3, spacingMs: 200 }',
      'events:',
      '  rules:',
      '    - { id: illegal_parking, persistence: { kind: visits, minDurationS: 4, minIou: 0.5, maxGapS: 120 } }',
      '    - { id: crowd_gathering, minCount: 4 }',
      `redis: { url: "${redis.url}", prefix: gwrc }`,
      'api: { host: 127.0.0.1, port: 0 }',
      `storage: { dir: "${join(dir, 'data')}" }`,
    ].join('\n');

  beforeAll(async () => {
    [rtsp, redis] = await Promise.all([startRtspServer(), startLocalRedis()]);
    writeFileSync(join(dir, 'config.yaml'), configText('street-bus'));
    running = await startGridworker({ config: await loadConfig(join(dir, 'config.yaml')), configDir: dir, roles: ['scheduler', 'worker', 'api'], redisUrl: redis.url, env: { GRIDWORKER_ADMIN_PASSWORD: `e2e-${Date.now()}-admin-pw` } });
  }, 120_000);
  afterAll(async () => {
    await running?.close();
    await Promise.all([rtsp?.close(), redis?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('closes a handled case whose thing is gone (before/after pair) and reopens one still there', async () => {
    expect(running.database?.kind).toBe('embedded');
    const api = running.api!.url;
    // Users, tokens and cases share the one embedded database of this process.
    const token = async (name: string, role: 'engineer' | 'grid_worker') =>
      `Bearer ${(await running.identity!.accounts.createToken({ name, role, grids: role === 'grid_worker' ? ['g1'] : [] }, { actor: 'e2e-test' })).token}`;
    const reader = { authorization: await token('e2e-reader', 'engineer') };
    const worker = await token('worker-1', 'grid_worker');
    const get = async <T>(path: string): Promise<T> => (await (await fetch(`${api}${path}`, { headers: reader })).json()) as T;
    const post = (path: string, body: unknown) => fetch(`${api}${path}`, { method: 'POST', headers: { authorization: worker, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const find = async (type: string) => (await get<{ cases: CaseRecord[] }>(`/api/cases?type=${type}`)).cases[0];
    const parking = await waitFor('the parking case', () => find('illegal_parking'), 90_000);
    const crowd = await waitFor('the crowd case', () => find('crowd_gathering'), 60_000);
    for (const c of [parking, crowd]) {
      expect((await post(`/api/cases/${c.id}/verdict`, { verdict: 'confirmed' })).status).toBe(200);
    }
    // The bus leaves: the camera now shows a road with no vehicle in it.
    const switched = join(dir, 'config.yaml');
    writeFileSync(switched, configText('street-cars'));
    running.reload(await loadConfig(switched));
    for (const c of [parking, crowd]) {
      const r = await post(`/api/cases/${c.id}/handle`, { note: 'dealt with' });
      expect(r.status).toBe(200);
    }
    const closed = await waitFor('the parking case to close', async () => {
      const c = (await get<{ case: CaseRecord }>(`/api/cases/${parking.id}`)).case;
      return c.status === 'closed' && c;
    }, 60_000);
    expect(closed.evidence.after).toBeDefined();
    expect(closed.evidence.after).not.toBe(closed.evidence.best);
    for (const p of [closed.evidence.best, closed.evidence.after!]) expect((await fetch(`${api}/evidence/${p}`, { headers: reader })).status).toBe(200);
    const reopened = await waitFor('the crowd case to reopen', async () => {
      const c = (await get<{ case: CaseRecord }>(`/api/cases/${crowd.id}`)).case;
      return c.status === 'reopened' && c;
    }, 60_000);
    expect(reopened.reopenCount).toBe(1);
    expect(reopened.evidence.after).toBeDefined();
    const audit = (await get<{ audit: AuditEntry[] }>(`/api/cases/${parking.id}/audit`)).audit.map((a) => a.action);
    expect(audit).toEqual(expect.arrayContaining(['opened', 'dispatched', 'confirmed', 'handled', 'closed']));
    expect(audit.indexOf('handled')).toBeLessThan(audit.indexOf('closed'));
    const trail = (await get<{ audit: AuditEntry[] }>(`/api/cases/${parking.id}/audit`)).audit;
    expect(trail.filter((a) => a.action === 'confirmed' || a.action === 'handled').map((a) => a.by)).toEqual(['token:worker-1', 'token:worker-1']);
  }, 240_000);
});
