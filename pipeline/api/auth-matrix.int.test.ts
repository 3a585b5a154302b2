/**
 * The route x role matrix over real HTTP: every route, every role (as a logged-in session and as a
 * service token), anonymous, an expired session and a revoked token, each against the answer the
 * README documents. Written out here independently of route-permissions.ts, so a change to the
 * table that is not also a documented change fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseRecord } from '../cases/case-model.ts';
import type { Role } from '../identity/roles.ts';
import { type ApiTestServer, startApiTestServer, TINY_JPEG } from './api-test-server.ts';

const ALL: readonly Role[] = ['admin', 'operator', 'grid_worker', 'engineer', 'viewer'];
const NOT_WORKER: readonly Role[] = ['admin', 'operator', 'engineer', 'viewer'];
const IDLE_MS = 30 * 60_000;

/** Who calls: headers to send and, for the holder of claims, the actor name. */
interface Caller {
  readonly label: string;
  readonly role: Role | 'anonymous' | 'expired' | 'revoked';
  readonly actor: string;
  headers(write: boolean): Record<string, string>;
}

/** What a row needs prepared for one call: a fresh case, a case claimed by the caller, a user, a token. */
interface Prepared {
  readonly path: string;
  readonly body?: unknown;
}

interface Row {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly label: string;
  readonly allowed: readonly Role[];
  /** Status for an allowed caller. */
  readonly ok: number;
  /** HTML page: anonymous and expired sessions are redirected (302) to /login. */
  readonly page?: boolean;
  prepare(t: ApiTestServer, caller: Caller): Promise<Prepared>;
}

let n = 0;
const fixed = (path: string, body?: unknown) => async (): Promise<Prepared> => ({ path, ...(body === undefined ? {} : { body }) });
const withCase = (make: (c: CaseRecord) => Prepared, setup?: (t: ApiTestServer, c: CaseRecord, caller: Caller) => Promise<void>) => async (t: ApiTestServer, caller: Caller): Promise<Prepared> => {
  const c = await t.openCase('cam-1');
  await setup?.(t, c, caller);
  return make(c);
};

const ROWS: readonly Row[] = [
  { method: 'GET', label: '/api/me', allowed: ALL, ok: 200, prepare: fixed('/api/me') },
  { method: 'GET', label: '/metrics', allowed: NOT_WORKER, ok: 200, prepare: fixed('/metrics') },
  { method: 'GET', label: '/api/patrol/status', allowed: ALL, ok: 200, prepare: fixed('/api/patrol/status') },
  ...(['start', 'pause', 'resume', 'stop'] as const).map((cmd): Row => ({ method: 'POST', label: `/api/patrol/${cmd}`, allowed: ['admin', 'operator'], ok: 200, prepare: fixed(`/api/patrol/${cmd}`) })),
  { method: 'POST', label: '/api/patrol/visit-now', allowed: ['admin', 'operator'], ok: 202, prepare: fixed('/api/patrol/visit-now', { cameraId: 'cam-1' }) },
  { method: 'PUT', label: '/api/patrol/targets', allowed: ['admin', 'operator'], ok: 200, prepare: fixed('/api/patrol/targets', { key: 60 }) },
  { method: 'POST', label: '/api/config/reload', allowed: ['admin'], ok: 200, prepare: fixed('/api/config/reload') },
  { method: 'GET', label: '/api/cameras', allowed: ALL, ok: 200, prepare: fixed('/api/cameras') },
  { method: 'GET', label: '/api/cameras/:id', allowed: ALL, ok: 200, prepare: fixed('/api/cameras/cam-1') },
  { method: 'GET', label: '/api/cameras/:id/visits', allowed: ALL, ok: 200, prepare: fixed('/api/cameras/cam-1/visits') },
  { method: 'GET', label: '/api/cameras/:id/latest.jpg', allowed: ALL, ok: 200, prepare: fixed('/api/cameras/cam-1/latest.jpg') },
  { method: 'GET', label: '/api/cases', allowed: ALL, ok: 200, prepare: fixed('/api/cases') },
  { method: 'GET', label: '/api/cases/:id', allowed: ALL, ok: 200, prepare: withCase((c) => ({ path: `/api/cases/${c.id}` })) },
  { method: 'GET', label: '/api/cases/:id/audit', allowed: ALL, ok: 200, prepare: withCase((c) => ({ path: `/api/cases/${c.id}/audit` })) },
  { method: 'POST', label: '/api/cases/:id/claim', allowed: ['admin', 'grid_worker'], ok: 200, prepare: withCase((c) => ({ path: `/api/cases/${c.id}/claim` })) },
  {
    method: 'POST',
    label: '/api/cases/:id/release',
    allowed: ['admin', 'operator', 'grid_worker'],
    ok: 200,
    prepare: withCase(
      (c) => ({ path: `/api/cases/${c.id}/release` }),
      async (t, c, caller) => {
        await t.cases.claim(c.id, caller.actor);
      },
    ),
  },
  { method: 'POST', label: '/api/cases/:id/verdict', allowed: ['admin', 'grid_worker'], ok: 200, prepare: withCase((c) => ({ path: `/api/cases/${c.id}/verdict`, body: { verdict: 'confirmed' } })) },
  {
    method: 'POST',
    label: '/api/cases/:id/break-claim',
    allowed: ['admin', 'operator'],
    ok: 200,
    prepare: withCase(
      (c) => ({ path: `/api/cases/${c.id}/break-claim`, body: { reason: 'left the shift' } }),
      async (t, c) => {
        await t.cases.claim(c.id, 'someone-else');
      },
    ),
  },
  ...(['handle', 'resolve'] as const).map(
    (action): Row => ({
      method: 'POST',
      label: `/api/cases/:id/${action}`,
      allowed: ['admin', 'grid_worker'],
      ok: 200,
      prepare: withCase(
        (c) => ({ path: `/api/cases/${c.id}/${action}`, body: { note: 'done', photoJpegBase64: TINY_JPEG.toString('base64') } }),
        async (t, c, caller) => {
          await t.cases.verdict(c.id, caller.actor, { verdict: 'confirmed' });
        },
      ),
    }),
  ),
  { method: 'POST', label: '/api/cases/:id/escalate', allowed: ['admin', 'operator'], ok: 200, prepare: withCase((c) => ({ path: `/api/cases/${c.id}/escalate`, body: { reason: 'too big for the community' } })) },
  { method: 'POST', label: '/api/cases/:id/reassign', allowed: ['admin', 'operator'], ok: 200, prepare: withCase((c) => ({ path: `/api/cases/${c.id}/reassign`, body: { unit: 'Public security', reason: 'their beat' } })) },
  { method: 'POST', label: '/api/cases/:id/close', allowed: ['admin', 'operator'], ok: 200, prepare: withCase((c) => ({ path: `/api/cases/${c.id}/close`, body: { reason: 'reported twice' } })) },
  { method: 'GET', label: '/api/units', allowed: NOT_WORKER, ok: 200, prepare: fixed('/api/units') },
  { method: 'GET', label: '/api/units/evaluation', allowed: NOT_WORKER, ok: 200, prepare: fixed('/api/units/evaluation') },
  { method: 'GET', label: '/evidence/:path?case=', allowed: ALL, ok: 200, prepare: withCase((c) => ({ path: `/evidence/${c.evidence.latest}?case=${c.id}` })) },
  { method: 'GET', label: '/verify', allowed: ALL, ok: 200, page: true, prepare: fixed('/verify') },
  { method: 'GET', label: '/api/accuracy', allowed: ['admin', 'engineer'], ok: 200, prepare: fixed('/api/accuracy') },
  { method: 'GET', label: '/api/audit', allowed: ['admin', 'engineer'], ok: 200, prepare: fixed('/api/audit') },
  { method: 'GET', label: '/api/users', allowed: ['admin'], ok: 200, prepare: fixed('/api/users') },
  { method: 'POST', label: '/api/users', allowed: ['admin'], ok: 201, prepare: async () => ({ path: '/api/users', body: { username: `made-${++n}`, password: 'a long enough password', role: 'viewer' } }) },
  {
    method: 'PATCH',
    label: '/api/users/:username',
    allowed: ['admin'],
    ok: 200,
    prepare: async (t) => ({ path: `/api/users/${(await t.addUser(`patched-${++n}`, 'viewer')).username}`, body: { disabled: true } }),
  },
  { method: 'GET', label: '/api/tokens', allowed: ['admin'], ok: 200, prepare: fixed('/api/tokens') },
  { method: 'POST', label: '/api/tokens', allowed: ['admin'], ok: 201, prepare: async () => ({ path: '/api/tokens', body: { name: `made-${++n}`, role: 'viewer' } }) },
  {
    method: 'DELETE',
    label: '/api/tokens/:id',
    allowed: ['admin'],
    ok: 200,
    prepare: async (t) => ({ path: `/api/tokens/${(await t.kit.identity.accounts.createToken({ name: `rev-${++n}`, role: 'viewer' }, { actor: 'test' })).record.id}` }),
  },
];

describe('route x role matrix over HTTP (real Redis, real PostgreSQL)', () => {
  let t: ApiTestServer;
  const callers: Caller[] = [];

  beforeAll(async () => {
    t = await startApiTestServer();
    const origin = t.server.url;
    for (const role of ALL) {
      const { username, password } = await t.addUser(`user-${role.replace('_', '-')}`, role, role === 'grid_worker' ? ['g1'] : []);
      const cookie = await t.login(username, password);
      callers.push({ label: `${role} session`, role, actor: username, headers: (w) => ({ cookie, ...(w ? { origin } : {}) }) });
      const bearer = await t.kit.bearer(role, role === 'grid_worker' ? ['g1'] : [], `tok-${role.replace('_', '-')}`);
      callers.push({ label: `${role} token`, role, actor: `token:tok-${role.replace('_', '-')}`, headers: () => ({ authorization: bearer }) });
    }
    callers.push({ label: 'anonymous', role: 'anonymous', actor: '-', headers: () => ({}) });
    const late = await t.addUser('user-expired', 'admin');
    const expired = await t.login(late.username, late.password);
    callers.push({ label: 'expired session', role: 'expired', actor: '-', headers: (w) => ({ cookie: expired, ...(w ? { origin } : {}) }) });
    const revoked = await t.kit.identity.accounts.createToken({ name: 'revoked', role: 'admin' }, { actor: 'test' });
    await t.kit.identity.accounts.revokeToken(revoked.record.id, { actor: 'test' });
    callers.push({ label: 'revoked token', role: 'revoked', actor: '-', headers: () => ({ authorization: `Bearer ${revoked.token}` }) });
  });
  afterAll(async () => {
    await t?.close();
  });

  const send = async (caller: Caller, method: string, p: Prepared): Promise<{ status: number; location: string | null }> => {
    const write = method !== 'GET';
    const headers = { ...caller.headers(write), ...(p.body === undefined ? {} : { 'content-type': 'application/json' }) };
    // The expired session is tried a whole idle period after its last use; then the clock comes back.
    if (caller.role === 'expired') t.clock += IDLE_MS + 1;
    try {
      const res = await fetch(`${t.server.url}${p.path}`, { method, headers, redirect: 'manual', ...(p.body === undefined ? {} : { body: JSON.stringify(p.body) }) });
      await res.arrayBuffer();
      return { status: res.status, location: res.headers.get('location') };
    } finally {
      if (caller.role === 'expired') t.clock -= IDLE_MS + 1;
    }
  };

  it('every route answers every caller as documented', async () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const row of ROWS) {
      for (const caller of callers) {
        const p = await row.prepare(t, caller);
        const got = await send(caller, row.method, p);
        let want: number;
        if (caller.role === 'anonymous' || caller.role === 'expired') want = row.page ? 302 : 401;
        else if (caller.role === 'revoked') want = 401;
        else want = row.allowed.includes(caller.role) ? row.ok : 403;
        if (got.status !== want) wrong.push(`${row.method} ${row.label} as ${caller.label}: ${got.status}, documented ${want}`);
        if (want === 302 && got.location !== `/login?next=${encodeURIComponent(p.path)}`) wrong.push(`${row.label} as ${caller.label}: redirect to ${got.location}`);
        checked++;
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBe(ROWS.length * callers.length);
  });

  it('unknown routes are 404 for everyone; logout ends the session (204, then 401)', async () => {
    for (const caller of callers) expect((await send(caller, 'GET', { path: '/api/nothing-here' })).status, caller.label).toBe(404);
    const u = await t.addUser('leaving', 'viewer');
    const cookie = await t.login(u.username, u.password);
    const out = await fetch(`${t.server.url}/api/logout`, { method: 'POST', headers: { cookie, origin: t.server.url } });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^gw_session=;/);
    expect((await fetch(`${t.server.url}/api/me`, { headers: { cookie } })).status).toBe(401);
  });

  it('a grid worker cannot see or act on another grid\'s case, camera, latest frame or evidence', async () => {
    const { username, password } = await t.addUser('worker-g1', 'grid_worker', ['g1']);
    const cookie = await t.login(username, password);
    const h = { cookie, origin: t.server.url };
    const mine = await t.openCase('cam-1');
    const theirs = await t.openCase('cam-2');
    const get = async (path: string) => (await fetch(`${t.server.url}${path}`, { headers: h })).status;
    const post = async (path: string, body?: unknown) =>
      (await fetch(`${t.server.url}${path}`, { method: 'POST', headers: { ...h, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) })).status;
    for (const path of [`/api/cases/${theirs.id}`, `/api/cases/${theirs.id}/audit`, '/api/cameras/cam-2', '/api/cameras/cam-2/visits', '/api/cameras/cam-2/latest.jpg', `/evidence/${theirs.evidence.latest}?case=${theirs.id}`]) {
      expect(await get(path), path).toBe(404);
    }
    // Naming one's own case does not unlock another case's file.
    expect(await get(`/evidence/${theirs.evidence.latest}?case=${mine.id}`)).toBe(404);
    expect(await get(`/evidence/${theirs.evidence.latest}`)).toBe(400);
    expect(await get(`/evidence/${mine.evidence.latest}?case=${mine.id}`)).toBe(200);
    for (const action of ['claim', 'release', 'handle', 'resolve']) expect(await post(`/api/cases/${theirs.id}/${action}`), action).toBe(404);
    expect(await post(`/api/cases/${theirs.id}/verdict`, { verdict: 'confirmed' })).toBe(404);
    expect(await post(`/api/cases/${theirs.id}/handle`, { note: 'not mine', photoJpegBase64: TINY_JPEG.toString('base64') })).toBe(404);
    const untouched = (await t.cases.get(theirs.id))!;
    expect(untouched.status).toBe('opened');
    expect([untouched.claimedBy, untouched.verdict, untouched.evidence.handledPhoto]).toEqual([undefined, undefined, undefined]);
    const list = (await (await fetch(`${t.server.url}/api/cases?limit=200`, { headers: h })).json()) as { cases: CaseRecord[] };
    expect(list.cases.length).toBeGreaterThan(0);
    expect(list.cases.every((c) => c.grid === 'g1')).toBe(true);
    expect(((await (await fetch(`${t.server.url}/api/cases?grid=g2`, { headers: h })).json()) as { count: number }).count).toBe(0);
    const cams = (await (await fetch(`${t.server.url}/api/cameras`, { headers: h })).json()) as { cameras: { id: string }[] };
    expect(cams.cameras.map((c) => c.id)).toEqual(['cam-1']);
    // Every case here opens at the same (fixed) clock ms, so ids order randomly: ask for all of them.
    const page = await (await fetch(`${t.server.url}/verify?limit=200`, { headers: h })).text();
    expect(page).toContain(mine.id);
    expect(page).not.toContain(theirs.id);
  });
});
