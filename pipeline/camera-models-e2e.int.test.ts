import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RtspTestServer, startRtspServer } from '../test-fixtures/lib/rtsp-server.ts';
import type { ShadowStanding } from './accuracy/shadow-standing.ts';
import type { CaseRecord } from './cases/case-model.ts';
import { loadConfig } from './config/load-config.ts';
import { type ScratchDatabase, createScratchDatabase } from './db/scratch-database.ts';
import { type LocalRedis, startLocalRedis } from './distributed/local-redis.ts';
import { type Running, startGridworker } from './gridworker-main.ts';
import { waitFor } from '../test-fixtures/lib/wait-for.ts';

const prefix = 'gwcm';


/**
 * Per-camera models and shadow mode, end to end: a real RTSP server, ffmpeg, the bundled trained
 * models in one detector process, the record and Redis. One camera runs the garbage model, one
 * COCO + fire / smoke together, and a third runs COCO with the fire / smoke model in shadow.
 */
describe('each camera runs the models its config names; a shadow candidate is verified, not dispatched, until promoted', () => {
  let rtsp: RtspTestServer;
  let redis: LocalRedis;
  let running: Running;
  let scratch: ScratchDatabase;
  const dir = mkdtempSync(join(tmpdir(), 'gw-camera-models-'));

  beforeAll(async () => {
    [rtsp, redis, scratch] = await Promise.all([startRtspServer(), startLocalRedis(), createScratchDatabase(undefined, 'cameramodels')]);
    const config = [
      'cameras:',
      `  - { id: lane-bins, name: Lane bins, url: "${rtsp.url('overflowing-bin')}", areaType: residential, grid: g1, priority: key, detectors: [picodet-s-416-garbage] }`,
      `  - { id: yard-smoke, name: Yard, url: "${rtsp.url('smoke')}", areaType: other, grid: g1, priority: key, detectors: [picodet-s-416-coco, picodet-s-416-fire-smoke] }`,
      `  - { id: yard-trial, name: Yard on trial, url: "${rtsp.url('smoke')}", areaType: other, grid: trial, priority: key, detectors: [picodet-s-416-coco] }`,
      'models:',
      '  shadow:',
      // 1 confirmed of 1: the Wilson lower bound is 0.21, above this target.
      '    - { model: picodet-s-416-fire-smoke, grids: [trial], precisionTarget: 0.2 }',
      'patrol:',
      '  revisitTargets: { key: 5, normal: 30, low: 60 }',
      '  dwell: { frames: 3, spacingMs: 200 }',
      '  detectorProcesses: 1',
      'events:',
      '  rules:',
      '    - { id: overflowing_bin, minScore: 0.3, persistence: { kind: visits, minDurationS: 4, minIou: 0.3, maxGapS: 120 } }',
      '    - { id: exposed_garbage, minScore: 0.3, persistence: { kind: visits, minDurationS: 4, minIou: 0.3, maxGapS: 120 } }',
      '    - { id: fire_smoke, minScore: 0.3 }',
      `redis: { url: "${redis.url}", prefix: ${prefix} }`,
      'api: { host: 127.0.0.1, port: 0 }',
      `storage: { dir: "${join(dir, 'data')}" }`,
    ].join('\n');
    writeFileSync(join(dir, 'config.yaml'), config);
    running = await startGridworker({
      config: await loadConfig(join(dir, 'config.yaml')),
      configDir: dir,
      roles: ['scheduler', 'worker', 'api'],
      redisUrl: redis.url,
      databaseUrl: scratch.url,
      shadowCheckEveryMs: 500,
      env: { GRIDWORKER_ADMIN_PASSWORD: `cm-${Date.now()}-admin-pw` },
    });
  }, 120_000);

  afterAll(async () => {
    await running?.close();
    await Promise.all([rtsp?.close(), redis?.close(), scratch?.drop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens an overflowing-bin and a smoke case, a shadow smoke case without dispatch, and dispatches the candidate once promoted', async () => {
    expect(running.models?.cards.map((c) => c.id).sort()).toEqual(['picodet-s-416-coco', 'picodet-s-416-fire-smoke', 'picodet-s-416-garbage']);
    const api = running.api!.url;
    const admin = { headers: { authorization: `Bearer ${(await running.identity!.accounts.createToken({ name: 'cm-admin', role: 'admin', grids: [] }, { actor: 'test' })).token}` } };
    const get = async <T>(path: string): Promise<T> => (await (await fetch(`${api}${path}`, admin)).json()) as T;
    const post = (path: string, body: unknown = {}) => fetch(`${api}${path}`, { method: 'POST', headers: { ...admin.headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const cases = async (): Promise<CaseRecord[]> => (await get<{ cases: CaseRecord[] }>('/api/cases?limit=200')).cases;

    const found = await waitFor('a bin case, a smoke case and a shadow smoke case', async () => {
      const all = await cases();
      const bin = all.find((c) => c.cameraId === 'lane-bins' && c.eventType === 'overflowing_bin');
      const smoke = all.find((c) => c.cameraId === 'yard-smoke' && c.eventType === 'fire_smoke');
      const shadow = all.find((c) => c.cameraId === 'yard-trial' && c.eventType === 'fire_smoke');
      return bin && smoke && shadow && { bin, smoke, shadow };
    }, 150_000);
    // Each camera's visit ran the models its config names, and only those.
    expect(found.bin).toMatchObject({ model: 'picodet-s-416-garbage@1.0.0' });
    expect(found.bin.shadow).toBeUndefined();
    expect(found.smoke).toMatchObject({ model: 'picodet-s-416-coco@1.0.0+picodet-s-416-fire-smoke@1.0.0' });
    expect(found.smoke.shadow).toBeUndefined();
    expect(found.shadow).toMatchObject({ shadow: true, model: 'picodet-s-416-fire-smoke@1.0.0' });
    expect((await cases()).filter((c) => c.cameraId === 'lane-bins').map((c) => c.eventType)).not.toContain('fire_smoke');

    // The active cases are dispatched through the outbox; the shadow case has no outbox row.
    const db = running.database!.db;
    const outboxOf = async (id: string) => db.selectFrom('outbox').select(['topic', 'job_id']).where('case_id', '=', id).execute();
    expect(await outboxOf(found.bin.id)).toEqual([{ topic: 'dispatch', job_id: `${found.bin.id}.v1` }]);
    expect(await outboxOf(found.smoke.id)).toEqual([{ topic: 'dispatch', job_id: `${found.smoke.id}.v1` }]);
    expect(await outboxOf(found.shadow.id)).toEqual([]);

    // The comparison: the candidate's shadow cases against the active model on the same camera, nothing verified yet.
    const before = await get<{ candidates: ShadowStanding[] }>('/api/accuracy/shadow');
    expect(before.candidates).toHaveLength(1);
    expect(before.candidates[0]).toMatchObject({ model: 'picodet-s-416-fire-smoke', cameras: ['yard-trial'], precisionTarget: 0.2, ready: false, promoted: null, candidate: { verified: 0 }, active: { cases: 0 } });
    expect(before.candidates[0]!.candidate.cases).toBeGreaterThanOrEqual(1);

    // A grid worker's verdict on the shadow case: 1 of 1 confirmed, lower bound 0.21 >= 0.2, so the worker promotes it (audited).
    expect((await post(`/api/cases/${found.shadow.id}/verdict`, { verdict: 'confirmed' })).status).toBe(200);
    const promoted = await waitFor('the promotion', async () => {
      const s = (await get<{ candidates: ShadowStanding[] }>('/api/accuracy/shadow')).candidates[0]!;
      return s.promoted && s;
    }, 30_000);
    expect(promoted).toMatchObject({ ready: true, promoted: { model: 'picodet-s-416-fire-smoke', by: 'system' }, candidate: { verified: 1, confirmed: 1 } });
    expect(promoted.candidate.ci95!.lo).toBeGreaterThanOrEqual(0.2);
    const audit = await get<{ audit: { action: string; actor: string; target?: string }[] }>('/api/audit?limit=50');
    expect(audit.audit.filter((e) => e.action === 'model.promote')).toEqual([expect.objectContaining({ actor: 'system', target: 'picodet-s-416-fire-smoke' })]);

    // Promoted: its hits on that camera are active now, so a new case opens and is dispatched.
    const live = await waitFor('a dispatched case from the promoted model', async () => {
      const c = (await cases()).find((x) => x.cameraId === 'yard-trial' && x.eventType === 'fire_smoke' && x.shadow !== true);
      return c && (await outboxOf(c.id)).length === 1 && c;
    }, 60_000);
    expect(live.model).toBe('picodet-s-416-coco@1.0.0+picodet-s-416-fire-smoke@1.0.0');
    const queue = new Queue('dispatch', { connection: { url: redis.url, maxRetriesPerRequest: null }, prefix });
    try {
      const jobs = await waitFor('its dispatch job', async () => {
        const j = await queue.getJobs(['waiting', 'prioritized', 'active', 'completed']);
        return j.some((x) => x.id === `${live.id}.v1`) && j;
      }, 20_000);
      expect(jobs.map((j) => j.id)).not.toContain(`${found.shadow.id}.v1`);
    } finally {
      await queue.close();
    }

    // An operator's promotion of a promoted candidate changes nothing; an unknown one is a 404.
    const again = await post('/api/accuracy/shadow/picodet-s-416-fire-smoke/promote');
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ model: 'picodet-s-416-fire-smoke', promoted: true, already: true });
    expect((await post('/api/accuracy/shadow/no-such-model/promote')).status).toBe(404);
  }, 300_000);
});
