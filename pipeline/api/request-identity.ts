import type { Request, Response } from 'express';
import { actorOf, type AuditActor, type Principal } from '../identity/principal.ts';

/** Name of the session cookie. */
export const SESSION_COOKIE = 'gw_session';

/** The authenticated principal of a request (set by the auth middleware); throws when there is none (a route missing from the table). */
export function principalOf(res: Response): Principal {
  const p = (res.locals as { principal?: Principal }).principal;
  if (!p) throw new Error('no authenticated principal on this request: is the route in route-permissions.ts?');
  return p;
}

/** The audit actor of a request: its principal and client address. */
export const requestActor = (req: Request, res: Response): AuditActor => actorOf(principalOf(res), req.ip);

/** The session cookie's value, or undefined. */
export function sessionCookie(req: Request): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === SESSION_COOKIE) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

/** The bearer token of the Authorization header: undefined without one, null when it is not a Bearer header. */
export function bearerToken(req: Request): string | null | undefined {
  const h = req.headers.authorization;
  if (h === undefined) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1]! : null;
}

/**
 * Strict same-origin check for cookie-authenticated writes: the browser's Origin must be this
 * server's own (or a trusted one) and Sec-Fetch-Site, when sent, must be same-origin. A request
 * with neither header is refused too (browsers always send Origin on cross-origin and on POST).
 */
export function sameOriginWrite(req: Request, trusted: readonly string[]): { ok: true } | { ok: false; why: string } {
  const site = req.get('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin') return { ok: false, why: `Sec-Fetch-Site is ${site}` };
  const origin = req.get('origin');
  if (origin === undefined) return site === 'same-origin' ? { ok: true } : { ok: false, why: 'no Origin header' };
  const self = `${req.protocol}://${req.get('host') ?? ''}`;
  if (origin === self || trusted.includes(origin)) return { ok: true };
  return { ok: false, why: `Origin ${origin.slice(0, 100)} is not ${self}` };
}
