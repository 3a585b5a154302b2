import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../events/event-model.ts';
import { type ApiTestServer, startApiTestServer } from './api-test-server.ts';

type ErrorBody = { error: { code: string; message: string } };

describe('CSRF, headers, concurrent verdicts, claim leases and login lockout over HTTP', () => {
  let t: ApiTestServer;
  let opCookie: string;
  beforeAll(async () => {
    t = await startApiTestServer({ lockAfterFailures: 5 });
    const op = await t.addUser('op-1', 'operator');
    opCookie = await t.login(op.username, op.password);
  });
  afterAll(async () => {
    await t?.close();
  });

  const post = (path: string, headers: Record<string, string>, body?: string) => fetch(`${t.server.url}${path}`, { method: 'POST', headers, ...(body === undefined ? {} : { body }) });

  it('refuses cookie writes from another origin (form POST, fetch with credentials, no origin) and accepts same-origin', async () => {
    await t.patrol.setRunState('running');
    // A form on evil.example auto-submitting to us: the browser sends the cookie (if it would), Origin and Sec-Fetch-Site.
    const form = await post('/api/patrol/pause', { cookie: opCookie, origin: 'http://evil.example', 'sec-fetch-site': 'cross-site', 'content-type': 'application/x-www-form-urlencoded' }, 'x=1');
    expect(form.status).toBe(403);
    expect(((await form.json()) as ErrorBody).error).toMatchObject({ code: 'CSRF' });
    // fetch(..., { credentials: 'include' }) from another origin with a JSON body.
    const xfetch = await post('/api/patrol/targets', { cookie: opCookie, origin: 'http://evil.example', 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' }, '{"key":86400}');
    expect(xfetch.status).toBe(404); // PUT is the route: POST is not in the table at all
    const xput = await fetch(`${t.server.url}/api/patrol/targets`, { method: 'PUT', headers: { cookie: opCookie, origin: 'http://evil.example', 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' }, body: '{"key":86400}' });
    expect(xput.status).toBe(403);
    // A same-site but different origin (another port on this host) is still another origin.
    const sibling = await post('/api/patrol/stop', { cookie: opCookie, origin: 'http://127.0.0.1:1', 'sec-fetch-site': 'same-site' });
    expect(sibling.status).toBe(403);
    // Neither Origin nor Sec-Fetch-Site with a cookie: refused (strict).
    expect((await post('/api/patrol/stop', { cookie: opCookie })).status).toBe(403);
    expect(await t.patrol.getRunState()).toBe('running');
    expect(await t.patrol.getPlanOverrideRaw()).toBeNull();
    // The app's own page: same origin.
    const same = await post('/api/patrol/pause', { cookie: opCookie, origin: t.server.url, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' }, '{}');
    expect(same.status).toBe(200);
    expect(await t.patrol.getRunState()).toBe('paused');
    // Bearer tokens are not sent by browsers on their own: no Origin needed.
    expect((await post('/api/patrol/resume', { authorization: await t.kit.bearer('operator') })).status).toBe(200);
    // A cross-origin login form is refused too (login CSRF).
    const login = await post('/api/login', { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' }, JSON.stringify({ username: 'op-1', password: 'x' }));
    expect(login.status).toBe(403);
  });

  it('sets security headers: CSP without inline scripts, no framing, nosniff, referrer policy; HttpOnly SameSite cookie', async () => {
    const res = await fetch(`${t.server.url}/login`);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline\' ;script');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('same-origin');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(await res.text()).toContain('<script src="/login/login.js"></script>');
    const u = await t.addUser('cookie-check', 'viewer');
    const login = await post('/api/login', { 'content-type': 'application/json' }, JSON.stringify({ username: u.username, password: u.password }));
    expect(login.headers.get('set-cookie')).toMatch(/^gw_session=[A-Za-z0-9_-]{43}; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Strict$/);
    expect(await login.json()).toEqual({
      user: { username: 'cookie-check', displayName: 'cookie-check', role: 'viewer', grids: [], permissions: ['self', 'patrol:read', 'cameras:read', 'cases:read', 'metrics:read'] },
    });
  });

  it('20 concurrent confirmations: exactly one 200, 19 409s naming the winner, one verdict in the audit signed by the winner', async () => {
    const c = await t.openCase('cam-1');
    const workers = await Promise.all(Array.from({ length: 20 }, (_, i) => t.addUser(`cw-${i}`, 'grid_worker', ['g1'])));
    const cookies = await Promise.all(workers.map((w) => t.login(w.username, w.password)));
    const answers = await Promise.all(
      cookies.map(async (cookie) => {
        const res = await post(`/api/cases/${c.id}/verdict`, { cookie, origin: t.server.url, 'content-type': 'application/json' }, '{"verdict":"confirmed"}');
        return { status: res.status, body: (await res.json()) as { case?: { verdict: { by: string } } } & Partial<ErrorBody> };
      }),
    );
    const ok = answers.filter((a) => a.status === 200);
    expect(ok).toHaveLength(1);
    const winner = ok[0]!.body.case!.verdict.by;
    expect(workers.map((w) => w.username)).toContain(winner);
    const others = answers.filter((a) => a.status !== 200);
    expect(others.map((a) => a.status)).toEqual(Array(19).fill(409));
    for (const a of others) expect(a.body.error!.message).toContain(`already decided by ${winner}: confirmed`);
    const audit = (await t.cases.audit(c.id)) as AuditEntry[];
    const verdicts = audit.filter((e) => e.action === 'confirmed' || e.action === 'rejected');
    expect(verdicts).toEqual([expect.objectContaining({ action: 'confirmed', by: winner })]);
    // The winner repeating is idempotent (200, unchanged); nobody else ever gets a 200.
    const repeat = await post(`/api/cases/${c.id}/verdict`, { cookie: cookies[workers.findIndex((w) => w.username === winner)]!, origin: t.server.url, 'content-type': 'application/json' }, '{"verdict":"confirmed"}');
    expect([repeat.status, ((await repeat.json()) as { changed: boolean }).changed]).toEqual([200, false]);
  });

  it('claims over HTTP are leases on a controlled clock: they lapse, the holder releases, an operator breaks them', async () => {
    const c = await t.openCase('cam-1');
    const [a, b] = await Promise.all([t.addUser('lease-a', 'grid_worker', ['g1']), t.addUser('lease-b', 'grid_worker', ['g1'])]);
    const [ca, cb] = await Promise.all([t.login(a.username, a.password), t.login(b.username, b.password)]);
    const act = async (cookie: string, action: string) => {
      const res = await post(`/api/cases/${c.id}/${action}`, { cookie, origin: t.server.url });
      return { status: res.status, body: (await res.json()) as { case?: { status: string; claimedBy?: string } } & Partial<ErrorBody> };
    };
    expect(await act(ca, 'claim')).toMatchObject({ status: 200, body: { case: { status: 'claimed', claimedBy: 'lease-a' } } });
    const blocked = await act(cb, 'claim');
    expect(blocked.status).toBe(409);
    expect(blocked.body.error!.message).toMatch(/claimed by lease-a until/);
    expect((await act(cb, 'release')).status).toBe(409);
    const start = t.clock;
    try {
      // 14 min later it still holds, at 15 min it has lapsed and b takes it (sessions used every 14 min stay alive).
      t.clock = start + 14 * 60_000;
      expect((await act(cb, 'claim')).status).toBe(409);
      t.clock = start + 15 * 60_000;
      expect(await act(cb, 'claim')).toMatchObject({ status: 200, body: { case: { claimedBy: 'lease-b' } } });
      expect(await act(cb, 'release')).toMatchObject({ status: 200, body: { case: { status: 'open' } } });
      expect(await act(ca, 'claim')).toMatchObject({ status: 200, body: { case: { claimedBy: 'lease-a' } } });
      // The operator's session was last used long ago: log in again, then break a's claim.
      const op = await t.addUser('op-breaker', 'operator');
      const opc = await t.login(op.username, op.password);
      expect(await act(opc, 'release')).toMatchObject({ status: 200, body: { case: { status: 'open' } } });
    } finally {
      t.clock = start;
    }
    const trail = (await t.cases.audit(c.id)).map((e) => `${e.action}:${e.by}`);
    expect(trail).toEqual(['opened:system', 'claimed:lease-a', 'claimed:lease-b', 'released:lease-b', 'claimed:lease-a', 'claim_broken:op-breaker']);
  });

  it('locks an account after 5 failed logins with a clear 429, even for the right password, and audits it', async () => {
    const u = await t.addUser('target', 'admin');
    const attempt = async (password: string) => {
      const res = await post('/api/login', { 'content-type': 'application/json' }, JSON.stringify({ username: u.username, password }));
      return { status: res.status, retry: res.headers.get('retry-after'), body: (await res.json()) as Partial<ErrorBody> };
    };
    for (let i = 1; i <= 4; i++) expect(await attempt(`guess-${i}`)).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHENTICATED', message: 'wrong username or password' } } });
    const locked = await attempt('guess-5');
    expect(locked).toMatchObject({ status: 429, body: { error: { code: 'ACCOUNT_LOCKED' } } });
    expect(locked.body.error!.message).toMatch(/too many failed logins for this account: locked, try again in 15 min/);
    expect(Number(locked.retry)).toBeGreaterThan(800);
    expect((await attempt(u.password)).status).toBe(429);
    const audit = (await t.kit.identity.store.listAudit(50)).filter((e) => e.target === 'target' && e.action.startsWith('login'));
    expect(audit.map((e) => e.action)).toEqual(['login.refused_locked', 'login.locked', ...Array(5).fill('login.failed')]);
    expect(audit.every((e) => e.ip !== undefined && /127\.0\.0\.1/.test(e.ip))).toBe(true);
    expect(JSON.stringify(audit)).not.toContain('guess-');
  });

  it('limits login attempts per address with a clear 429 and audits it', async () => {
    const limited = await startApiTestServer({ loginPerMinute: 3 });
    try {
      const statuses: number[] = [];
      let last: Partial<ErrorBody> = {};
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${limited.server.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: `nobody-${i}`, password: 'whatever-long' }) });
        statuses.push(res.status);
        last = (await res.json()) as Partial<ErrorBody>;
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
      expect(last.error).toMatchObject({ code: 'RATE_LIMITED' });
      expect(last.error!.message).toMatch(/too many login attempts from this address/);
      const actions = (await limited.kit.identity.store.listAudit(10)).map((e) => e.action);
      expect(actions.filter((a) => a === 'login.rate_limited')).toHaveLength(2);
    } finally {
      await limited.close();
    }
  });

  it('with no admin yet, every write is refused with 503 SETUP_REQUIRED saying how to create one; reads work', async () => {
    const fresh = await startApiTestServer({ withoutAdmin: true });
    try {
      const op = { authorization: await fresh.kit.bearer('operator') };
      const w = await fetch(`${fresh.server.url}/api/patrol/pause`, { method: 'POST', headers: op });
      expect(w.status).toBe(503);
      const body = (await w.json()) as ErrorBody;
      expect(body.error.code).toBe('SETUP_REQUIRED');
      expect(body.error.message).toContain('gridworker users add admin --role admin');
      expect(body.error.message).toContain('GRIDWORKER_ADMIN_PASSWORD');
      expect((await fetch(`${fresh.server.url}/api/patrol/status`, { headers: op })).status).toBe(200);
      await fresh.addUser('first-admin', 'admin');
      expect((await fetch(`${fresh.server.url}/api/patrol/pause`, { method: 'POST', headers: op })).status).toBe(200);
    } finally {
      await fresh.close();
    }
  });
});
