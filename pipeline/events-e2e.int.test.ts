import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RtspTestServer, startRtspServer } from '../test-fixtures/lib/rtsp-server.ts';
import { loadConfig } from './config/load-config.ts';
import { type LocalRedis, startLocalRedis } from './distributed/local-redis.ts';
import { dispatchPayloadProblems } from './dispatch/payload-validator.ts';
import type { CaseRecord } from './events/event-model.ts';
import { type Running, startGridworker } from './gridworker-main.ts';

const root = join(import.meta.dirname, '..');
const prefix = 'gwev';

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false | null>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

describe('from detections to verified cases, end to end on the fixture cameras', () => {
  let rtsp: RtspTestServer;
  let redis: LocalRedis;
  let running: Running;
  const dir = mkdtempSync(join(tmpdir(), 'gw-events-'));

  beforeAll(async () => {
    [rtsp, redis] = await Promise.all([startRtspServer(), startLocalRedis()]);
    const config = [
      'cameras:',
      // A bus standing in the carriageway (a no-parking zone): illegal parking once it stays 4 s.
      `  - id: bus-stop\n    name: Bus stop\n    url: "${rtsp.url('street-bus')}"\n    areaType: transport_hub\n    grid: g1\n    priority: key`,
      '    zones: [{ name: road, kind: no_parking, points: [[0, 0.72], [1, 0.64], [1, 1], [0, 1]] }]',
      // A crowd at a school gate: crowd gathering (k of n frames within a visit).
      `  - id: school\n    name: School gate\n    url: "${rtsp.url('crowd')}"\n    areaType: school\n    grid: g1\n    priority: key`,
      '    zones: [{ name: gate, kind: crowd_watch, points: [[0, 0.5], [1, 0.5], [1, 1], [0, 1]] }]',
      // An airfield with a no-parking zone and no car in it: must open nothing.
      `  - id: airfield\n    name: Airfield road\n    url: "${rtsp.url('street-cars')}"\n    areaType: street\n    grid: g2\n    priority: key`,
      '    zones: [{ name: apron, kind: no_parking, points: [[0, 0.6], [1, 0.6], [1, 1], [0, 1]] }]',
      'patrol:',
      '  revisitTargets: { key: 5, normal: 30, low: 60 }',
      '  dwell: { frames: 3, spacingMs: 200 }',
      'events:',
      '  rules:',
      '    - { id: illegal_parking, persistence: { kind: visits, minDurationS: 4, minIou: 0.5, maxGapS: 120 } }',
      '    - { id: crowd_gathering, minCount: 4 }',
      `redis: { url: "${redis.url}", prefix: ${prefix} }`,
      'api: { host: 127.0.0.1, port: 0 }',
      `storage: { dir: "${join(dir, 'data')}" }`,
    ].join('\n');
    writeFileSync(join(dir, 'config.yaml'), config);
    running = await startGridworker({ config: await loadConfig(join(dir, 'config.yaml')), configDir: dir, roles: ['scheduler', 'worker', 'api'], redisUrl: redis.url, env: { GRIDWORKER_ADMIN_PASSWORD: `e2e-${Date.now()}-admin-pw` } });
  }, 120_000);

  afterAll(async () => {
    await running?.close();
    await Promise.all([rtsp?.close(), redis?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens, deduplicates and dispatches cases, takes verdicts, and reports accuracy from them', async () => {
    const api = running.api!.url;
    const setup = { actor: 'e2e-test' };
    const bearer = async (name: string, role: 'admin' | 'grid_worker') => `Bearer ${(await running.identity!.accounts.createToken({ name, role, grids: role === 'grid_worker' ? ['g1', 'g2'] : [] }, setup)).token}`;
    const tokens: Record<string, string> = { admin: await bearer('e2e-admin', 'admin'), 'worker-7': await bearer('worker-7', 'grid_worker'), 'worker-9': await bearer('worker-9', 'grid_worker') };
    const adminAuth = { headers: { authorization: tokens.admin! } };
    const get = async <T>(path: string): Promise<T> => (await (await fetch(`${api}${path}`, adminAuth)).json()) as T;
    // The actor is the token's identity; `by` only picks which token to send.
    const post = async (path: string, { by, ...body }: { by: string } & Record<string, unknown>) =>
      fetch(`${api}${path}`, { method: 'POST', headers: { authorization: tokens[by]!, 'content-type': 'application/json' }, body: JSON.stringify(body) });

    // Both scenes that must open cases do; the bus case needs two visits >= 4 s apart.
    const cases = await waitFor(
      'crowd and parking cases',
      async () => {
        const list = await get<{ cases: CaseRecord[] }>('/api/cases?limit=50');
        const types = new Set(list.cases.map((c) => c.eventType));
        return types.has('crowd_gathering') && types.has('illegal_parking') && list.cases;
      },
      120_000,
    );
    // Deduplication: the school crowd is seen on every visit but stays one case whose count grows.
    const crowd = await waitFor('the crowd seen again', async () => {
      const c = (await get<{ cases: CaseRecord[] }>('/api/cases?type=crowd_gathering')).cases;
      return c.length === 1 && c[0]!.count >= 2 && c[0];
    }, 60_000);
    expect(crowd).toMatchObject({ cameraId: 'school', zone: 'gate', grid: 'g1', status: 'open', severity: 'high' });
    const parking = cases.find((c) => c.eventType === 'illegal_parking')!;
    expect(parking).toMatchObject({ cameraId: 'bus-stop', zone: 'road' });
    expect(parking.boxes.some((b) => b.label === 'bus')).toBe(true);
    expect(parking.firstSeenAt).toBeLessThan(parking.openedAt);
    const all = (await get<{ cases: CaseRecord[] }>('/api/cases?limit=50')).cases;
    expect(all.filter((c) => c.cameraId === 'airfield')).toEqual([]);
    expect(all.filter((c) => c.eventType === 'crowd_gathering')).toHaveLength(1);

    // Dispatch: one job per case, the case id as job id, payloads valid against the committed schema.
    const queue = new Queue('dispatch', { connection: { url: redis.url, maxRetriesPerRequest: null }, prefix });
    try {
      const jobs = await waitFor('dispatch jobs', async () => {
        const j = await queue.getJobs(['waiting', 'prioritized', 'active', 'completed']);
        return j.length >= 2 && j;
      }, 20_000);
      expect(new Set(jobs.map((j) => j.id)).size).toBe(jobs.length);
      expect(jobs.map((j) => j.id).sort()).toEqual(all.map((c) => c.id).sort());
      for (const j of jobs) expect(dispatchPayloadProblems(j.data)).toEqual([]);
      expect(jobs.find((j) => j.id === crowd.id)?.opts.priority).toBeLessThan(jobs.find((j) => j.id === parking.id)!.opts.priority!);
    } finally {
      await queue.close();
    }

    // Evidence is served: a JPEG for the latest sighting and, for parking, the first one too.
    for (const path of [crowd.evidence.latest, parking.evidence.first, parking.evidence.latest]) {
      const r = await fetch(`${api}/evidence/${path}`, adminAuth);
      expect(r.status, path).toBe(200);
      expect(Buffer.from(await r.arrayBuffer()).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    }
    expect((await fetch(`${api}/verify`, adminAuth)).status).toBe(200);

    // Verdicts: confirm the crowd, reject the parking hit; a conflicting second verdict is a 409.
    expect((await post(`/api/cases/${crowd.id}/verdict`, { by: 'worker-7', verdict: 'confirmed' })).status).toBe(200);
    expect((await post(`/api/cases/${crowd.id}/verdict`, { by: 'worker-7', verdict: 'confirmed' })).status).toBe(200);
    expect((await post(`/api/cases/${crowd.id}/verdict`, { by: 'worker-7', verdict: 'rejected', reason: 'false_detection' })).status).toBe(409);
    expect((await post(`/api/cases/${parking.id}/verdict`, { by: 'worker-9', verdict: 'rejected' })).status).toBe(400);
    expect((await post(`/api/cases/${parking.id}/verdict`, { by: 'worker-9', verdict: 'rejected', reason: 'not_a_violation' })).status).toBe(200);
    expect((await post(`/api/cases/${crowd.id}/resolve`, { by: 'worker-7', note: 'dispersed' })).status).toBe(200);
    const audit = await get<{ audit: { action: string; by: string }[] }>(`/api/cases/${crowd.id}/audit`);
    expect(audit.audit.map((a) => a.action)).toEqual(expect.arrayContaining(['opened', 'confirmed', 'resolved']));

    // Accuracy follows from the verdicts: 1 of 2 right overall, per type 1/1 and 0/1.
    const acc = await get<{ overall: { verified: number; confirmed: number; precision: number; ci95: { lo: number; hi: number } }; byEventType: { key: string; precision: number }[] }>('/api/accuracy');
    expect(acc.overall).toMatchObject({ verified: 2, confirmed: 1, precision: 0.5 });
    expect(acc.overall.ci95.lo).toBeLessThan(0.5);
    expect(acc.overall.ci95.hi).toBeGreaterThan(0.5);
    const byType = Object.fromEntries(acc.byEventType.map((g) => [g.key, g.precision]));
    expect(byType).toMatchObject({ crowd_gathering: 1, illegal_parking: 0 });

    // The accuracy command reads the same store.
    const { stdout } = await promisify(execFile)(process.execPath, [join(root, 'scripts', 'gridworker.mjs'), 'accuracy', '--redis', redis.url, '--prefix', prefix, '--json'], { cwd: root });
    expect(JSON.parse(stdout)).toMatchObject({ overall: { verified: 2, confirmed: 1 } });
  }, 240_000);
});
