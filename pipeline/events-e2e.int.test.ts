import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { airfield, busStop, type E2eStack, schoolGate, startE2eStack } from '../test-fixtures/lib/e2e-stack.ts';
import { waitFor } from '../test-fixtures/lib/wait-for.ts';
import { dispatchPayloadProblems } from './dispatch/payload-validator.ts';
import type { CaseRecord } from './cases/case-model.ts';

const root = join(import.meta.dirname, '..');
const prefix = 'gwev';

describe('from detections to verified cases, end to end on the fixture cameras', () => {
  let stack: E2eStack;

  beforeAll(async () => {
    // The bus and the crowd must open cases; the empty airfield apron must open nothing.
    stack = await startE2eStack({ prefix, cameras: [busStop(), schoolGate(), airfield()], record: 'scratch' });
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('opens, deduplicates and dispatches cases, takes verdicts, and reports accuracy from them', async () => {
    const api = stack.api;
    const tokens: Record<string, string> = { admin: await stack.bearer('e2e-admin', 'admin'), 'worker-7': await stack.bearer('worker-7', 'grid_worker'), 'worker-9': await stack.bearer('worker-9', 'grid_worker') };
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
    expect(crowd).toMatchObject({ cameraId: 'school', zone: 'gate', grid: 'g1', severity: 'high' });
    expect(['opened', 'dispatched']).toContain(crowd.status);
    const parking = cases.find((c) => c.eventType === 'illegal_parking')!;
    expect(parking).toMatchObject({ cameraId: 'bus-stop', zone: 'road' });
    expect(parking.boxes.some((b) => b.label === 'bus')).toBe(true);
    expect(parking.firstSeenAt).toBeLessThan(parking.openedAt);
    const all = (await get<{ cases: CaseRecord[] }>('/api/cases?limit=50')).cases;
    expect(all.filter((c) => c.cameraId === 'airfield')).toEqual([]);
    expect(all.filter((c) => c.eventType === 'crowd_gathering')).toHaveLength(1);

    // Dispatch through the outbox: one job per case, job id = case id + version, payloads valid against the committed schema.
    const queue = new Queue('dispatch', { connection: { url: stack.redis.url, maxRetriesPerRequest: null }, prefix });
    try {
      const jobs = await waitFor('dispatch jobs', async () => {
        const j = await queue.getJobs(['waiting', 'prioritized', 'active', 'completed']);
        return j.length >= 2 && j;
      }, 20_000);
      expect(new Set(jobs.map((j) => j.id)).size).toBe(jobs.length);
      expect(jobs.map((j) => j.id).sort()).toEqual(all.map((c) => `${c.id}.v1`).sort());
      for (const j of jobs) expect(dispatchPayloadProblems(j.data)).toEqual([]);
      expect(jobs.find((j) => j.id === `${crowd.id}.v1`)?.opts.priority).toBeLessThan(jobs.find((j) => j.id === `${parking.id}.v1`)!.opts.priority!);
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
    expect(audit.audit.map((a) => a.action)).toEqual(expect.arrayContaining(['opened', 'confirmed', 'handled']));

    // Accuracy follows from the verdicts: 1 of 2 right overall, per type 1/1 and 0/1.
    const acc = await get<{ overall: { verified: number; confirmed: number; precision: number; ci95: { lo: number; hi: number } }; byEventType: { key: string; precision: number }[] }>('/api/accuracy');
    expect(acc.overall).toMatchObject({ verified: 2, confirmed: 1, precision: 0.5 });
    expect(acc.overall.ci95.lo).toBeLessThan(0.5);
    expect(acc.overall.ci95.hi).toBeGreaterThan(0.5);
    const byType = Object.fromEntries(acc.byEventType.map((g) => [g.key, g.precision]));
    expect(byType).toMatchObject({ crowd_gathering: 1, illegal_parking: 0 });

    // The accuracy command reads the same record.
    const { stdout } = await promisify(execFile)(process.execPath, [join(root, 'scripts', 'gridworker.mjs'), 'accuracy', '--database-url', stack.scratch!.url, '--json'], { cwd: root });
    expect(JSON.parse(stdout)).toMatchObject({ overall: { verified: 2, confirmed: 1 } });
  }, 240_000);
});
