import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '../../pipeline/api/api-app.ts';
import { testAuth } from '../../pipeline/api/auth-test-kit.ts';
import { listen } from '../../pipeline/api/http-server.ts';
import { CaseStore } from '../../pipeline/cases/case-store.ts';
import { EVIDENCE_A, TEST_TYPES, testContext, testEvent } from '../../pipeline/cases/case-test-fixtures.ts';
import { type TestRecord, openTestRecord } from '../../pipeline/cases/test-record.ts';
import { PatrolStore } from '../../pipeline/distributed/patrol-store.ts';
import { closeRedis, createRedis } from '../../pipeline/distributed/redis-connection.ts';

const root = join(import.meta.dirname, '..', '..');
const T0 = Date.UTC(2026, 10, 2, 8);
const MIN = 60_000;

describe('unit evaluation from the record: gridworker report units and GET /api/units/evaluation', () => {
  let rec: TestRecord;
  beforeAll(async () => {
    rec = await openTestRecord('postgres');
    let clock = T0;
    const s = new CaseStore(rec.handle.db, { eventType: (id) => TEST_TYPES.find((t) => t.id === id), now: () => clock });
    // Three parking cases for the school detail (deadline 120 min) and one fire case for the brigade.
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await s.openOrUpdate(testEvent({ place: [i / 4, 0.5, i / 4 + 0.1, 0.6] }), testContext())).case.id);
    const fire = (await s.openOrUpdate(testEvent({ eventType: 'fire_smoke' }), testContext('fire_smoke'))).case.id;
    for (const id of [...ids, fire]) await s.verdict(id, 'w1', { verdict: 'confirmed' });
    clock = T0 + 30 * MIN;
    await s.handle(ids[0]!, 'unit', { note: 'ok' });
    await s.recheckOutcome(ids[0]!, true, { path: EVIDENCE_A }); // closed after a re-check
    clock = T0 + 90 * MIN;
    await s.handle(ids[1]!, 'unit');
    await s.recheckOutcome(ids[1]!, false, { path: EVIDENCE_A }); // still there: reopened
    clock = T0 + 200 * MIN;
    await s.flagOverdue(); // ids[1] reopened and ids[2] accepted, both past 120 min; fire past 10 min
  });
  afterAll(async () => {
    await rec.close();
  });

  it('prints the table and the JSON for a period', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(root, 'scripts', 'gridworker.mjs'), 'report', 'units', '--database-url', rec.url!, '--from', '2026-11-01', '--to', '2026-11-30', '--json'], { cwd: root });
    const r = JSON.parse(stdout) as { from: string; to: string; units: Record<string, unknown>[] };
    expect(r).toMatchObject({ from: '2026-11-01', to: '2026-11-30' });
    expect(r.units).toEqual([
      { unit: 'Fire brigade', received: 1, handled: 0, handledInTime: 0, overdueRate: 1, medianHandlingMs: null, reopenRate: null, reopened: 0, rechecked: 0 },
      { unit: 'Traffic police, school detail', received: 3, handled: 2, handledInTime: 2, overdueRate: 2 / 3, medianHandlingMs: 60 * MIN, reopenRate: 0.5, reopened: 1, rechecked: 2 },
    ]);
    const text = await promisify(execFile)(process.execPath, [join(root, 'scripts', 'gridworker.mjs'), 'report', 'units', '--database-url', rec.url!, '--from', '2026-10-01', '--to', '2026-10-31'], { cwd: root });
    expect(text.stdout).toContain('no cases received in the period');
  });

  it('answers the same over HTTP and names a bad date', async () => {
    // Every route is authenticated: an engineer's token (unit evaluation is read by every role but grid workers).
    const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'producer');
    const kit = await testAuth(redis);
    const store = new CaseStore(rec.handle.db, { eventType: () => undefined });
    const api = await listen(createApiApp({ auth: kit.auth, store: new PatrolStore(redis, kit.prefix), cameras: () => [], storageDir: root, cases: { store, eventTypes: () => TEST_TYPES, evidenceDir: root } }), '127.0.0.1', 0);
    try {
      const headers = { authorization: await kit.bearer('engineer') };
      const ok = (await (await fetch(`${api.url}/api/units/evaluation?from=2026-11-01&to=2026-11-30`, { headers })).json()) as { units: { unit: string; received: number }[] };
      expect(ok.units.map((u) => [u.unit, u.received])).toEqual([['Fire brigade', 1], ['Traffic police, school detail', 3]]);
      const bad = await fetch(`${api.url}/api/units/evaluation?from=yesterday`, { headers });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { field: string } }).error.field).toBe('from');
      expect((await fetch(`${api.url}/api/units/evaluation`)).status).toBe(401);
      expect((await fetch(`${api.url}/api/units/evaluation`, { headers: { authorization: await kit.bearer('grid_worker', ['g1']) } })).status).toBe(403);
    } finally {
      await api.close();
      await kit.cleanup();
      await closeRedis(redis);
    }
  });
});
