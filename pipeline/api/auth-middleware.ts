import type { RequestHandler } from 'express';
import type { Principal } from '../identity/principal.ts';
import { can } from '../identity/roles.ts';
import { CREATE_ADMIN_HOWTO } from '../identity/bootstrap.ts';
import type { AuthApiContext } from './api-context.ts';
import { ApiError } from './api-errors.ts';
import { unavailableFor } from './dependency-errors.ts';
import { bearerToken, SESSION_COOKIE, sameOriginWrite, sessionCookie } from './request-identity.ts';
import { findRule } from './route-permissions.ts';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** 401 with the contract's JSON shape. */
export const unauthenticated = (message = 'log in (POST /api/login) or send Authorization: Bearer <token>'): ApiError => new ApiError(401, 'UNAUTHENTICATED', message);
/** 403: authenticated but not allowed. */
export const forbidden = (message: string): ApiError => new ApiError(403, 'FORBIDDEN', message);

/**
 * Authenticates every request and applies the permission table (route-permissions.ts):
 * - no line for the method and path: 404 (deny by default);
 * - a public line: passes as is;
 * - otherwise the principal comes from `Authorization: Bearer` (a bad token is a 401, never a
 *   fallback to the cookie) or the `gw_session` cookie; none: 401 JSON (pages: redirect to /login);
 * - cookie-authenticated writes must come from this origin (CSRF): else 403 CSRF;
 * - the role must hold one of the line's permissions: else 403;
 * - writes while no admin exists: 503 SETUP_REQUIRED with how to create one.
 * The principal is left in `res.locals.principal` for the handlers (request-identity.ts).
 */
export function authMiddleware(ctx: AuthApiContext): RequestHandler {
  let adminSeen = false;
  const adminReady = async (): Promise<boolean> => (adminSeen ||= await ctx.adminReady());
  return (req, res, next) => {
    const rule = findRule(req.method, req.path);
    if (!rule) {
      next(new ApiError(404, 'NOT_FOUND', `no route for ${req.method} ${req.path}`));
      return;
    }
    if (rule.allow === 'public') {
      next();
      return;
    }
    const allow = rule.allow;
    const run = async (): Promise<void> => {
      const bearer = bearerToken(req);
      const cookie = bearer === undefined ? sessionCookie(req) : undefined;
      let principal: Principal | null = null;
      if (bearer === null) throw unauthenticated('the Authorization header must be "Bearer <token>"');
      // Tokens live in the record, sessions in Redis: either away is a plain 503, not a 500.
      const identify = async (fn: () => Promise<Principal | null>): Promise<Principal | null> => {
        try {
          return await fn();
        } catch (err) {
          throw unavailableFor(err, 'check the login') ?? err;
        }
      };
      if (bearer !== undefined) {
        principal = await identify(() => ctx.authenticator.fromToken(bearer));
        if (!principal) throw unauthenticated('the bearer token is unknown, revoked or expired');
      } else if (cookie !== undefined) {
        principal = await identify(() => ctx.authenticator.fromSession(cookie));
        if (!principal) res.clearCookie(SESSION_COOKIE, { path: '/' });
      }
      if (!principal) {
        if (rule.page && req.method === 'GET') {
          res.redirect(302, `/login?next=${encodeURIComponent(req.originalUrl)}`);
          return;
        }
        throw unauthenticated(cookie !== undefined ? 'the session has ended (expired or logged out): log in again' : undefined);
      }
      const write = !SAFE.has(req.method);
      if (write && principal.kind === 'session') {
        const check = sameOriginWrite(req, ctx.trustedOrigins ?? []);
        if (!check.ok) throw new ApiError(403, 'CSRF', `cross-origin request refused: ${check.why}`);
      }
      if (!allow.some((p) => can(principal.role, p))) throw forbidden(`role ${principal.role} may not ${req.method} ${req.path}`);
      if (write && !(await adminReady())) throw new ApiError(503, 'SETUP_REQUIRED', CREATE_ADMIN_HOWTO);
      (res.locals as { principal?: Principal }).principal = principal;
      next();
    };
    run().catch(next);
  };
}
