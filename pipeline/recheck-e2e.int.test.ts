import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busStop, type E2eStack, schoolGate, startE2eStack } from '../test-fixtures/lib/e2e-stack.ts';
import { waitFor } from '../test-fixtures/lib/wait-for.ts';
import type { AuditEntry, CaseRecord } from './cases/case-model.ts';

/**
 * The AI re-check end to end, on the embedded database (no DATABASE_URL, all roles in one
 * process: the npm start default): a bus parked in the road and a crowd at a school gate open
 * cases; both are accepted and marked handled. The bus-stop camera is then switched to a scene
 * with no vehicle in the road (the config reload points it at another stream): its re-check finds
 * the bus gone and closes the case with a before/after pair. The crowd is still there: its case
 * reopens with the new frame, counted against the unit.
 */
describe('AI re-check (核查比对) on fixture cameras whose scene changes', () => {
  let stack: E2eStack;

  beforeAll(async () => {
    stack = await startE2eStack({ prefix: 'gwrc', cameras: [busStop(), schoolGate()], record: 'embedded' });
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('closes a handled case whose thing is gone (before/after pair) and reopens one still there', async () => {
    expect(stack.running.database?.kind).toBe('embedded');
    const api = stack.api;
    // Users, tokens and cases share the one embedded database of this process.
    const reader = { authorization: await stack.bearer('e2e-reader', 'engineer') };
    const worker = await stack.bearer('worker-1', 'grid_worker');
    const get = async <T>(path: string): Promise<T> => (await (await fetch(`${api}${path}`, { headers: reader })).json()) as T;
    const post = (path: string, body: unknown) => fetch(`${api}${path}`, { method: 'POST', headers: { authorization: worker, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const find = async (type: string) => (await get<{ cases: CaseRecord[] }>(`/api/cases?type=${type}`)).cases[0];
    const parking = await waitFor('the parking case', () => find('illegal_parking'), 90_000);
    const crowd = await waitFor('the crowd case', () => find('crowd_gathering'), 60_000);
    for (const c of [parking, crowd]) {
      expect((await post(`/api/cases/${c.id}/verdict`, { verdict: 'confirmed' })).status).toBe(200);
    }
    // The bus leaves: the camera now shows a road with no vehicle in it.
    await stack.reconfigure([busStop('street-cars'), schoolGate()]);
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
