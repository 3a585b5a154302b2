import express from 'express';
import { describe, expect, it } from 'vitest';
import { can, ROLE_PERMISSIONS, ROLES } from '../identity/roles.ts';
import { sameOriginWrite } from './request-identity.ts';
import { findRule, ROUTE_RULES } from './route-permissions.ts';

/** A minimal request for sameOriginWrite: headers, protocol and host. */
function req(headers: Record<string, string>, protocol = 'http', host = 'gw.local:8080'): express.Request {
  const h: Record<string, string> = { host, ...headers };
  return { protocol, get: (name: string) => h[name.toLowerCase()] } as unknown as express.Request;
}

describe('permission table', () => {
  it('finds the line for a method and path, HEAD as GET, trailing slash as none; nothing else matches', () => {
    expect(findRule('GET', '/api/cases')?.allow).toEqual(['cases:read']);
    expect(findRule('GET', '/api/cases/')?.allow).toEqual(['cases:read']);
    expect(findRule('HEAD', '/api/cases/c_1/audit')?.allow).toEqual(['cases:read']);
    expect(findRule('POST', '/api/cases/c_1/release')?.allow).toEqual(['cases:work', 'cases:manage']);
    expect(findRule('GET', '/evidence/2024-01-02/abc.jpg')?.allow).toEqual(['cases:read']);
    expect(findRule('GET', '/healthz')?.allow).toBe('public');
    for (const [m, p] of [['POST', '/api/cases'], ['GET', '/api/cases/a/b/c'], ['DELETE', '/api/users/x'], ['GET', '/API/CASES'], ['OPTIONS', '/api/me'], ['GET', '/evidence'], ['GET', '/api/patrol/status/x']]) {
      expect(findRule(m!, p!), `${m} ${p}`).toBeUndefined();
    }
  });

  it('has one line per method and path, and every permission it names is held by some role', () => {
    const keys = ROUTE_RULES.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const r of ROUTE_RULES) if (r.allow !== 'public') for (const p of r.allow) expect(ROLES.some((role) => can(role, p)), p).toBe(true);
  });

  it('roles: admin holds every permission; grid workers neither metrics nor patrol control; viewers only read', () => {
    const every = new Set(Object.values(ROLE_PERMISSIONS).flatMap((s) => [...s]));
    expect([...every].every((p) => can('admin', p))).toBe(true);
    expect(can('grid_worker', 'metrics:read') || can('grid_worker', 'patrol:control')).toBe(false);
    expect([...ROLE_PERMISSIONS.viewer].every((p) => p === 'self' || p.endsWith(':read'))).toBe(true);
  });
});

describe('strict same-origin check for cookie writes', () => {
  it.each([
    [{ origin: 'http://gw.local:8080', 'sec-fetch-site': 'same-origin' }, true],
    [{ origin: 'http://gw.local:8080' }, true],
    [{ 'sec-fetch-site': 'same-origin' }, true],
    [{}, false],
    [{ origin: 'http://evil.example' }, false],
    [{ origin: 'null' }, false],
    [{ origin: 'http://gw.local:8080', 'sec-fetch-site': 'cross-site' }, false],
    [{ origin: 'http://gw.local:8081', 'sec-fetch-site': 'same-site' }, false],
    [{ origin: 'https://gw.local:8080' }, false],
    [{ 'sec-fetch-site': 'none' }, false],
  ])('%j -> %s', (headers, ok) => {
    expect(sameOriginWrite(req(headers), []).ok).toBe(ok);
  });

  it('accepts a configured trusted origin (a reverse proxy) and nothing else', () => {
    expect(sameOriginWrite(req({ origin: 'https://gw.city.gov' }), ['https://gw.city.gov']).ok).toBe(true);
    expect(sameOriginWrite(req({ origin: 'https://gw.city.gov.evil.example' }), ['https://gw.city.gov']).ok).toBe(false);
  });
});
