import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import sharp from 'sharp';
import type { Database } from '../db/db-schema.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseStore } from '../cases/case-store.ts';
import { TEST_TYPES, testContext, testEvent } from '../cases/case-test-fixtures.ts';
import { renderEvidence, writeEvidence } from '../cases/evidence.ts';
import { type LocalRedis, startLocalRedis } from '../distributed/local-redis.ts';
import { type TestRecord, openTestRecord } from '../cases/test-record.ts';
import { PatrolStore } from '../distributed/patrol-store.ts';
import { closeRedis, createRedis } from '../distributed/redis-connection.ts';
import type { CaseRecord } from '../cases/case-model.ts';
import { createApiApp } from './api-app.ts';
import { type TestAuth, testAuth } from './auth-test-kit.ts';
import { type HttpServer, listen } from './http-server.ts';

type Json = Record<string, unknown> & { error?: { code: string; message: string; field?: string } };

describe('case verification API and /verify page on real PostgreSQL', () => {
  let redis: LocalRedis;
  let rec: TestRecord;
  let server: HttpServer;
  let conn: ReturnType<typeof createRedis>;
  let store: CaseStore;
  let evidence: string;
  let jpeg: Buffer;
  const dir = mkdtempSync(join(tmpdir(), 'gw-case-api-'));
  const cases: CaseRecord[] = [];
  let kit: TestAuth;
  /** Cookie header per grid worker (logged in through POST /api/login). */
  const who: Record<string, string> = {};

  beforeAll(async () => {
    redis = await startLocalRedis();
    conn = createRedis(redis.url, 'producer');
    rec = await openTestRecord('postgres');
    store = new CaseStore(rec.handle.db, { eventType: (id) => TEST_TYPES.find((t) => t.id === id) });
    const frame = await sharp({ create: { width: 320, height: 180, channels: 3, background: { r: 40, g: 90, b: 40 } } }).jpeg().toBuffer();
    jpeg = await renderEvidence(frame, [{ label: 'car', score: 0.9, box: [0.1, 0.5, 0.3, 0.7] }]);
    evidence = await writeEvidence(dir, jpeg, Date.UTC(2024, 0, 2));
    const specs = [
      { cameraId: 'cam-1', eventType: 'illegal_parking', grid: 'g1' },
      { cameraId: 'cam-2', eventType: 'illegal_parking', grid: 'g2' },
      { cameraId: 'cam-2', eventType: 'fire_smoke', grid: 'g2' },
      { cameraId: 'cam-1', eventType: 'illegal_parking', grid: 'g1', place: [0.6, 0.1, 0.8, 0.3] as const },
    ];
    for (const s of specs) {
      const ctx = { ...testContext(s.eventType, evidence), camera: { grid: s.grid, areaType: 'street' } };
      cases.push((await store.openOrUpdate(testEvent({ cameraId: s.cameraId, eventType: s.eventType, ...(s.place ? { place: s.place } : {}) }), ctx)).case);
    }
    kit = await testAuth(conn);
    const app = createApiApp({
      auth: kit.auth,
      store: new PatrolStore(conn, 'gwt'),
      cameras: () => [],
      storageDir: dir,
      cases: { store, eventTypes: () => TEST_TYPES, evidenceDir: dir },
    });
    server = await listen(app, '127.0.0.1', 0);
    for (const name of ['w1', 'w2', 'w3', 'w4']) {
      const password = `pw-${name}-long-enough`;
      await kit.identity.accounts.addUser({ username: name, password, role: 'grid_worker', grids: ['g1', 'g2'] }, { actor: 'test' });
      const res = await fetch(`${server.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: name, password }) });
      expect(res.status).toBe(200);
      who[name] = res.headers.get('set-cookie')!.split(';')[0]!;
    }
    who.admin = await kit.bearer('admin');
  });
  afterAll(async () => {
    await server.close();
    await kit.cleanup();
    await closeRedis(conn);
    await rec.close();
    await redis.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Calls as a grid worker (same-origin browser request with their cookie) or as the admin token. */
  const call = async (method: string, path: string, body?: unknown, as = 'w1') => {
    const auth: Record<string, string> = as === 'admin' ? { authorization: who.admin! } : { cookie: who[as]!, origin: server.url };
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Json };
  };
  const id = (i: number): string => cases[i]!.id;
  const UNKNOWN = 'c_000000001_0000000000';

  it('lists pending cases with filters, and names bad parameters', async () => {
    const all = await call('GET', '/api/cases?status=pending');
    expect(all.status).toBe(200);
    // Ids sort by opening ms, then randomly within one ms: compare with the sorted ids.
    expect((all.json.cases as CaseRecord[]).map((c) => c.id)).toEqual([id(0), id(1), id(2), id(3)].sort());
    const g2 = await call('GET', '/api/cases?status=pending&grid=g2&type=fire_smoke');
    expect((g2.json.cases as CaseRecord[]).map((c) => c.id)).toEqual([id(2)]);
    const [cam1a, cam1b] = [id(0), id(3)].sort();
    const cam = await call('GET', '/api/cases?camera=cam-1&limit=1');
    expect(cam.json).toMatchObject({ count: 1, nextCursor: cam1a });
    const next = await call('GET', `/api/cases?camera=cam-1&limit=1&cursor=${cam1a}`);
    expect((next.json.cases as CaseRecord[])[0]!.id).toBe(cam1b);
    expect(await call('GET', '/api/cases?status=lost')).toMatchObject({ status: 400, json: { error: { code: 'BAD_REQUEST', field: 'status' } } });
    expect(await call('GET', '/api/cases?limit=1000')).toMatchObject({ status: 400, json: { error: { field: 'limit' } } });
  });

  it('shows a case with its audit trail; unknown cases are 404', async () => {
    const one = await call('GET', `/api/cases/${id(0)}`);
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({ case: { id: id(0), status: 'opened' }, audit: [{ action: 'opened', by: 'system' }] });
    expect(await call('GET', `/api/cases/${UNKNOWN}`)).toMatchObject({ status: 404, json: { error: { code: 'NOT_FOUND' } } });
    expect(await call('GET', '/api/cases/nope')).toMatchObject({ status: 404 });
    expect(await call('GET', `/api/cases/${UNKNOWN}/audit`)).toMatchObject({ status: 404 });
  });

  it('claims, confirms and handles with idempotent repeats, 400s, 404s and 409s naming who', async () => {
    const c = id(0);
    expect(await call('POST', `/api/cases/${c}/claim`, { by: 'w2' })).toMatchObject({ status: 400, json: { error: { field: 'by' } } });
    expect(await call('POST', `/api/cases/${c}/claim`, '{"by":')).toMatchObject({ status: 400, json: { error: { code: 'BAD_JSON', field: 'body' } } });
    expect(await call('POST', `/api/cases/${UNKNOWN}/claim`, {}, 'w1')).toMatchObject({ status: 404 });
    expect(await call('POST', `/api/cases/${c}/claim`, {}, 'w1')).toMatchObject({ status: 200, json: { changed: true, case: { status: 'opened', claimedBy: 'w1' } } });
    expect(await call('POST', `/api/cases/${c}/claim`, {}, 'w1')).toMatchObject({ status: 200, json: { changed: true, case: { claimedBy: 'w1' } } });
    const taken = await call('POST', `/api/cases/${c}/claim`, {}, 'w2');
    expect(taken).toMatchObject({ status: 409, json: { error: { code: 'CASE_CLAIMED' } } });
    expect(taken.json.error?.message).toContain('claimed by w1');
    expect(await call('POST', `/api/cases/${c}/resolve`, {}, 'w1')).toMatchObject({ status: 409 });

    expect(await call('POST', `/api/cases/${c}/verdict`, { verdict: 'rejected' }, 'w1')).toMatchObject({ status: 400, json: { error: { field: 'reason' } } });
    expect(await call('POST', `/api/cases/${c}/verdict`, { verdict: 'rejected', reason: 'wrong_event_type', correctType: 'unicorn' }, 'w1')).toMatchObject({
      status: 400,
      json: { error: { field: 'correctType' } },
    });
    expect(await call('POST', `/api/cases/${c}/verdict`, { verdict: 'rejected', reason: 'wrong_event_type', correctType: 'illegal_parking' }, 'w1')).toMatchObject({
      status: 400,
      json: { error: { field: 'correctType' } },
    });
    expect(await call('POST', `/api/cases/${c}/verdict`, { verdict: 'ok' }, 'w1')).toMatchObject({ status: 400, json: { error: { field: 'verdict' } } });
    expect(await call('POST', `/api/cases/${UNKNOWN}/verdict`, { verdict: 'confirmed' }, 'w1')).toMatchObject({ status: 404 });
    expect(await call('POST', `/api/cases/${c}/verdict`, { verdict: 'confirmed' }, 'w2')).toMatchObject({ status: 409 });

    const first = await call('POST', `/api/cases/${c}/verdict`, { verdict: 'confirmed', note: 'blocking the gate' }, 'w1');
    expect(first).toMatchObject({ status: 200, json: { changed: true, case: { status: 'accepted', verdict: { verdict: 'confirmed', by: 'w1' } } } });
    const repeat = await call('POST', `/api/cases/${c}/verdict`, { verdict: 'confirmed' }, 'w1');
    expect(repeat).toMatchObject({ status: 200, json: { changed: false } });
    expect(repeat.json.case).toEqual(first.json.case);
    expect(await call('POST', `/api/cases/${c}/verdict`, { verdict: 'rejected', reason: 'duplicate' }, 'w1')).toMatchObject({ status: 409 });
    const decided = await call('POST', `/api/cases/${c}/verdict`, { verdict: 'confirmed' }, 'w2');
    expect(decided).toMatchObject({ status: 409, json: { error: { code: 'CASE_DECIDED' } } });
    expect(decided.json.error?.message).toContain('by w1');

    expect(await call('POST', `/api/cases/${c}/resolve`, { note: 'towed', extra: 1 }, 'w3')).toMatchObject({ status: 400, json: { error: { field: 'extra' } } });
    expect(await call('POST', `/api/cases/${c}/resolve`, { note: 'towed' }, 'w3')).toMatchObject({ status: 200, json: { changed: true, case: { status: 'handled' } } });
    expect(await call('POST', `/api/cases/${c}/resolve`, {}, 'w3')).toMatchObject({ status: 200, json: { changed: false } });

    const audit = await call('GET', `/api/cases/${c}/audit`);
    expect((audit.json.audit as { action: string; by: string }[]).map((e) => `${e.action}:${e.by}`)).toEqual(['opened:system', 'claimed:w1', 'claim_renewed:w1', 'confirmed:w1', 'handled:w3']);
  });

  it('rejects with a reason and a correct type', async () => {
    const r = await call('POST', `/api/cases/${id(1)}/verdict`, { verdict: 'rejected', reason: 'wrong_event_type', correctType: 'fire_smoke' }, 'w4');
    expect(r).toMatchObject({ status: 200, json: { case: { status: 'rejected', verdict: { reason: 'wrong_event_type', correctType: 'fire_smoke' } } } });
    expect(await call('POST', `/api/cases/${id(1)}/resolve`, {  }, 'w4')).toMatchObject({ status: 409 });
    expect((await call('GET', '/api/cases?status=rejected')).json).toMatchObject({ count: 1 });
  });

  it('serves evidence files and refuses anything that is not an evidence path', async () => {
    const admin = { headers: { authorization: who.admin! } };
    const res = await fetch(`${server.url}/evidence/${evidence}`, admin);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(jpeg);
    expect((await fetch(`${server.url}/evidence/2024-01-02/${'0'.repeat(64)}.jpg`, admin)).status).toBe(404);
    expect((await fetch(`${server.url}/evidence/..%2F..%2Fetc%2Fpasswd`, admin)).status).toBe(400);
    expect((await fetch(`${server.url}/evidence/2024-01-02/x.jpg`, admin)).status).toBe(400);
    // A raw request line that no client normalised.
    const raw = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: server.port, path: '/evidence/../../../etc/passwd', headers: { authorization: who.admin! } }, (r) => {
        r.resume();
        resolve(r.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(raw).toBe(400);
  });

  it('serves the phone page: pending cases with evidence and verdict buttons, no external assets, no inline script', async () => {
    const page = { headers: { cookie: who.w3! } };
    const res = await fetch(`${server.url}/verify?grid=g2`, page);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'(;|$)/);
    const html = await res.text();
    expect(html).toContain('<meta name="viewport"');
    expect(html).toContain(`data-id="${id(2)}"`);
    expect(html).not.toContain(`data-id="${id(0)}"`); // handled, and in g1
    expect(html).not.toContain(`data-id="${id(1)}"`); // rejected
    expect(html).toContain(`src="/evidence/${evidence}?case=${id(2)}"`);
    expect(html).toContain('<script src="/verify/verify.js"></script>');
    expect(html).not.toMatch(/<script>|<script [^>]*nonce/);
    const js = await fetch(`${server.url}/verify/verify.js`);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await js.text()).not.toContain('by:');
    expect(html).toContain('data-verdict="confirmed"');
    expect(html).toContain('data-verdict="rejected"');
    expect(html).toContain('<option value="not_a_violation">');
    expect(html).toContain('火情烟雾');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    const all = await (await fetch(`${server.url}/verify`, page)).text();
    expect(all.match(/class="case"/g)).toHaveLength(2);
    expect((await fetch(`${server.url}/verify?limit=0`, page)).status).toBe(400);
    const anon = await fetch(`${server.url}/verify?grid=g2`, { redirect: 'manual' });
    expect([anon.status, anon.headers.get('location')]).toEqual([302, '/login?next=%2Fverify%3Fgrid%3Dg2']);
      expect(html).not.toContain('class="shadow"');
    // A shadow candidate's case is listed like any other, with its badge (and only it).
    const ctx = { ...testContext('illegal_parking', evidence), camera: { grid: 'g2', areaType: 'street' } };
    const shadow = (await store.openOrUpdate(testEvent({ cameraId: 'cam-9', shadow: true }), ctx)).case;
    try {
      const withShadow = await (await fetch(`${server.url}/verify?grid=g2`, page)).text();
      const cardOf = (caseId: string): string => withShadow.slice(withShadow.indexOf(`data-id="${caseId}"`)).split('</article>')[0]!;
      expect(cardOf(shadow.id)).toMatch(/<span class="shadow"[^>]*>试运行 shadow<\/span>/);
      expect(cardOf(id(2))).not.toContain('class="shadow"');
    } finally {
      await store.close(shadow.id, 'test', { reason: 'test case done' });
    }
  });

  it('answers 503 when the record is not reachable', async () => {
    const dead = createRedis('redis://127.0.0.1:1', 'producer');
    const deadDb = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: 'postgres://gw:pw@127.0.0.1:1/gw', connectionTimeoutMillis: 1000 }) }) });
    const s = await listen(
      createApiApp({ auth: kit.auth, store: new PatrolStore(dead, 'x'), cameras: () => [], storageDir: dir, cases: { store: new CaseStore(deadDb, { eventType: () => undefined }), eventTypes: () => TEST_TYPES, evidenceDir: dir } }),
      '127.0.0.1',
      0,
    );
    try {
      const r = await fetch(`${s.url}/api/cases?status=pending`, { headers: { authorization: who.admin! } });
      expect(r.status).toBe(503);
      expect(((await r.json()) as Json).error).toMatchObject({ code: 'UNAVAILABLE' });
      expect((await fetch(`${s.url}/api/cases/${UNKNOWN}/claim`, { method: 'POST', headers: { authorization: who.admin! } })).status).toBe(503);
    } finally {
      await s.close();
      await closeRedis(dead);
      await deadDb.destroy();
    }
  });
});
