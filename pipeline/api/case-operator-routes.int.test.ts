/**
 * The operator's case routes over real HTTP (real Redis, real PostgreSQL): reassigning to another
 * unit at the case's level, closing by hand, and the units list they choose from.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseRecord } from '../cases/case-model.ts';
import { type ApiTestServer, startApiTestServer } from './api-test-server.ts';

type Json = Record<string, unknown> & { error?: { code: string; message: string; field?: string } };

describe('operator case routes: reassign, close, units', () => {
  let t: ApiTestServer;
  let operator: string;
  let worker: string;

  beforeAll(async () => {
    t = await startApiTestServer();
    operator = await t.kit.bearer('operator', [], 'op-desk');
    worker = await t.kit.bearer('grid_worker', ['g1'], 'w-g1');
  });
  afterAll(async () => {
    await t?.close();
  });

  const call = async (method: string, path: string, body?: unknown, as = operator) => {
    const res = await fetch(`${t.server.url}${path}`, {
      method,
      headers: { authorization: as, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, json: (await res.json()) as Json };
  };

  it('lists the catalogue\'s units at every level with their parents', async () => {
    const r = await call('GET', '/api/units');
    expect(r.status).toBe(200);
    const units = r.json.units as { id: string; name: string; level: string; parentId: string | null }[];
    expect(units).toContainEqual({ id: 'Public security', name: 'Public security', level: 'community', parentId: 'street office: Public security' });
    expect(units).toContainEqual({ id: 'district: Fire brigade', name: 'Fire brigade', level: 'district', parentId: null });
    expect(units).toHaveLength(12);
  });

  it('reassigns to a unit at the case\'s level; same unit is a no-op; an unknown unit or another level is a 400 naming both', async () => {
    const c = await t.openCase('cam-1');
    expect(c.responsibleUnit).toBe('Traffic police');
    await t.cases.claim(c.id, 'w-someone');
    const r = await call('POST', `/api/cases/${c.id}/reassign`, { unit: 'Public security', reason: 'a crowd, not a car' });
    expect(r).toMatchObject({ status: 200, json: { changed: true, case: { id: c.id, responsibleUnit: 'Public security' } } });
    expect((r.json.case as CaseRecord).claimedBy).toBeUndefined();
    expect(await call('POST', `/api/cases/${c.id}/reassign`, { unit: 'Public security' })).toMatchObject({ status: 200, json: { changed: false } });
    const audit = await call('GET', `/api/cases/${c.id}/audit`);
    expect((audit.json.audit as { action: string; by: string; detail?: unknown }[]).at(-1)).toEqual({
      at: expect.any(Number),
      by: 'token:op-desk',
      action: 'reassigned',
      detail: { fromUnit: 'Traffic police', toUnit: 'Public security', reason: 'a crowd, not a car', claimBrokenFrom: 'w-someone' },
    });
    const unknown = await call('POST', `/api/cases/${c.id}/reassign`, { unit: 'Ghost squad' });
    expect(unknown).toMatchObject({ status: 400, json: { error: { field: 'unit' } } });
    expect(unknown.json.error?.message).toContain('no unit "Ghost squad" at the case\'s community level');
    const higher = await call('POST', `/api/cases/${c.id}/reassign`, { unit: 'district: Fire brigade' });
    expect(higher).toMatchObject({ status: 400, json: { error: { field: 'unit' } } });
    expect(higher.json.error?.message).toContain('it is a district unit');
    expect(await call('POST', `/api/cases/${c.id}/reassign`, {})).toMatchObject({ status: 400, json: { error: { field: 'unit' } } });
    expect(await call('POST', `/api/cases/${c.id}/reassign`, { unit: 'Public security', by: 'someone' })).toMatchObject({ status: 400, json: { error: { field: 'by' } } });
    expect(await call('POST', '/api/cases/c_000000001_0000000000/reassign', { unit: 'Public security' })).toMatchObject({ status: 404 });
    // The dispatch job went out again for the new unit: case id + the new version.
    const jobs = await t.kit.record.db.selectFrom('outbox').select('job_id').where('case_id', '=', c.id).orderBy('id').execute();
    expect(jobs.map((j) => j.job_id)).toEqual([`${c.id}.v1`, `${c.id}.v${(r.json.case as CaseRecord).version}`]);
  });

  it('closes by hand with a required reason of 1-500 characters; a repeat is a no-op; closed or rejected cases are 409', async () => {
    const c = await t.openCase('cam-2');
    expect(await call('POST', `/api/cases/${c.id}/close`, {})).toMatchObject({ status: 400, json: { error: { field: 'reason' } } });
    expect(await call('POST', `/api/cases/${c.id}/close`, { reason: '' })).toMatchObject({ status: 400, json: { error: { field: 'reason' } } });
    expect(await call('POST', `/api/cases/${c.id}/close`, { reason: 'x'.repeat(501) })).toMatchObject({ status: 400, json: { error: { field: 'reason' } } });
    expect(await call('POST', `/api/cases/${c.id}/close`, { reason: 'ok', extra: true })).toMatchObject({ status: 400, json: { error: { field: 'extra' } } });
    const x = await call('POST', `/api/cases/${c.id}/close`, { reason: 'x'.repeat(500), note: 'phoned in' });
    expect(x).toMatchObject({ status: 200, json: { changed: true, case: { status: 'closed', closedBy: 'token:op-desk', closeReason: 'x'.repeat(500) } } });
    expect(typeof (x.json.case as CaseRecord).closedAt).toBe('number');
    expect(await call('POST', `/api/cases/${c.id}/close`, { reason: 'x'.repeat(500) })).toMatchObject({ status: 200, json: { changed: false } });
    expect(await call('POST', `/api/cases/${c.id}/close`, { reason: 'changed my mind' })).toMatchObject({ status: 409, json: { error: { code: 'CASE_CONFLICT' } } });
    expect(await call('POST', `/api/cases/${c.id}/reassign`, { unit: 'Public security' })).toMatchObject({ status: 409, json: { error: { code: 'CASE_CONFLICT' } } });
    const d = await t.openCase('cam-2');
    await t.cases.verdict(d.id, 'w2', { verdict: 'rejected', reason: 'duplicate' });
    expect(await call('POST', `/api/cases/${d.id}/close`, { reason: 'x' })).toMatchObject({ status: 409 });
    expect((await call('GET', `/api/cases/${c.id}`)).json).toMatchObject({ case: { status: 'closed' }, audit: expect.arrayContaining([expect.objectContaining({ action: 'closed', by: 'token:op-desk' })]) });
  });

  it('refuses both to a grid worker (403), and is in the OpenAPI document', async () => {
    const c = await t.openCase('cam-1');
    expect((await call('POST', `/api/cases/${c.id}/close`, { reason: 'x' }, worker)).status).toBe(403);
    expect((await call('POST', `/api/cases/${c.id}/reassign`, { unit: 'Public security' }, worker)).status).toBe(403);
    expect((await t.cases.get(c.id))!.status).toBe('opened');
    const doc = (await call('GET', '/api/openapi.json')).json as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/api/cases/{id}/reassign'] ?? {})).toEqual(['post']);
    expect(Object.keys(doc.paths['/api/cases/{id}/close'] ?? {})).toEqual(['post']);
    expect(Object.keys(doc.paths['/api/units'] ?? {})).toEqual(['get']);
  });

  it('answers the list with an ETag (304 when unchanged) and never a page from before a change', async () => {
    const get = (headers: Record<string, string> = {}) => fetch(`${t.server.url}/api/cases?status=pending&limit=200`, { headers: { authorization: operator, ...headers } });
    const first = await get();
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const etag = first.headers.get('etag')!;
    const body = (await first.json()) as { cases: CaseRecord[]; count: number; nextCursor: string | null };
    expect(body.count).toBe(body.cases.length);
    // fetch adds "Cache-Control: no-cache" to a conditional request unless told otherwise (and no-cache means revalidate nothing).
    const again = await get({ 'if-none-match': etag, 'cache-control': 'max-age=0' });
    expect(again.status).toBe(304);
    // A change through the API: the next list shows it at once, under a new ETag.
    const c = await t.openCase('cam-1');
    const after = await get({ 'if-none-match': etag, 'cache-control': 'max-age=0' });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(etag);
    expect(((await after.json()) as { cases: CaseRecord[] }).cases.map((x) => x.id)).toContain(c.id);
    await call('POST', `/api/cases/${c.id}/close`, { reason: 'seen twice' });
    const closed = (await (await get()).json()) as { cases: CaseRecord[] };
    expect(closed.cases.map((x) => x.id)).not.toContain(c.id);
    // A grid worker's list: only their grid, from the same cache, under its own key.
    const mine = (await (await fetch(`${t.server.url}/api/cases?limit=200`, { headers: { authorization: worker } })).json()) as { cases: CaseRecord[] };
    expect(mine.cases.length).toBeGreaterThan(0);
    expect(mine.cases.every((x) => x.grid === 'g1')).toBe(true);
    const other = (await (await fetch(`${t.server.url}/api/cases?grid=g2`, { headers: { authorization: worker } })).json()) as { cases: CaseRecord[]; count: number };
    expect(other).toEqual({ cases: [], count: 0, nextCursor: null });
  });
});
