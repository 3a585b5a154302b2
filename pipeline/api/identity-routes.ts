import { type Request, type Response, Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import { IdentityError, IdentityInputError } from '../identity/identity-errors.ts';
import { checkRole } from '../identity/identity-input.ts';
import { ROLE_PERMISSIONS } from '../identity/roles.ts';
import type { AuthApiContext } from './api-context.ts';
import { ApiError, badRequest, route } from './api-errors.ts';
import { principalOf, requestActor, SESSION_COOKIE, sameOriginWrite } from './request-identity.ts';

type Body = Record<string, unknown>;

function object(body: unknown, allowed: readonly string[]): Body {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('body', 'a JSON object is required (Content-Type: application/json)');
  for (const key of Object.keys(body)) if (!allowed.includes(key)) throw badRequest(key, `unknown field; allowed: ${allowed.join(', ')}`);
  return body as Body;
}

/** Runs an identity call and turns its typed errors into API errors (429s carry Retry-After). */
async function identityCall<T>(res: Response, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof IdentityInputError) throw badRequest(err.field, err.message.replace(`${err.field}: `, ''));
    if (err instanceof IdentityError) {
      const retry = (err as { retryAfterS?: number }).retryAfterS;
      if (retry !== undefined) res.setHeader('Retry-After', String(Math.ceil(retry)));
      throw new ApiError(err.status, err.code, err.message, undefined, { cause: err });
    }
    throw err;
  }
}

const str = (b: Body, key: string): string => {
  const v = b[key];
  if (typeof v !== 'string' || v === '') throw badRequest(key, 'required, a string');
  return v;
};

/**
 * Login, logout, me; and for admins users, tokens and the system audit:
 * - POST /api/login {username, password} → 200 {user} + cookie gw_session; 401; 429 (address rate limit or account lock)
 * - POST /api/logout → 204; GET /api/me → {user}
 * `user` is { username, displayName, role, grids, permissions } (permissions: what the role may do,
 * for a UI to show only what will be allowed; the server decides anyway).
 * - GET/POST /api/users, PATCH /api/users/:username {disabled?, role?, grids?, password?}
 * - GET/POST /api/tokens (the token string is in the POST answer only), DELETE /api/tokens/:id
 * - GET /api/audit?limit=
 */
export function identityRoutes(ctx: AuthApiContext): Router {
  const r = Router();
  const limiter = rateLimit({
    windowMs: 60_000,
    limit: ctx.loginPerMinute ?? 10,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (req: Request, res: Response) => {
      const answer = (): void => {
        res.status(429).json({ error: { code: 'RATE_LIMITED', message: 'too many login attempts from this address: wait a minute and try again' } });
      };
      // Answer once the audit line is written (or could not be: the 429 matters more).
      ctx.store.appendAudit({ at: Date.now(), actor: 'anonymous', ...(req.ip ? { ip: req.ip } : {}), action: 'login.rate_limited' }).then(answer, answer);
    },
  });

  r.post(
    '/login',
    limiter,
    route(async (req, res) => {
      // Login CSRF: a browser posting from another origin is refused; clients without Origin (curl) pass.
      if (req.get('origin') !== undefined || req.get('sec-fetch-site') !== undefined) {
        const check = sameOriginWrite(req, ctx.trustedOrigins ?? []);
        if (!check.ok) throw new ApiError(403, 'CSRF', `cross-origin login refused: ${check.why}`);
      }
      const b = object(req.body, ['username', 'password']);
      const [username, password] = [str(b, 'username'), str(b, 'password')];
      const result = await identityCall(res, () => ctx.authenticator.login(username, password, req.ip ? { ip: req.ip } : {}));
      res.cookie(SESSION_COOKIE, result.sessionId, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/', expires: new Date(result.expiresAt) });
      res.setHeader('Cache-Control', 'no-store');
      res.json({ user: { ...result.user, permissions: [...ROLE_PERMISSIONS[result.user.role]] } });
    }),
  );

  r.post(
    '/logout',
    route(async (_req, res) => {
      const p = principalOf(res);
      if (p.sessionDigest) await ctx.authenticator.logout(p.sessionDigest);
      res.clearCookie(SESSION_COOKIE, { path: '/' });
      res.status(204).end();
    }),
  );

  r.get('/me', (_req, res) => {
    const p = principalOf(res);
    res.json({ user: { username: p.name, displayName: p.displayName, role: p.role, grids: p.grids, kind: p.kind, permissions: [...ROLE_PERMISSIONS[p.role]] } });
  });

  r.get(
    '/users',
    route(async (_req, res) => {
      res.json({ users: await ctx.accounts.listUsers() });
    }),
  );

  r.post(
    '/users',
    route(async (req, res) => {
      const b = object(req.body, ['username', 'password', 'role', 'grids', 'displayName']);
      const user = await identityCall(res, () =>
        ctx.accounts.addUser(
          { username: str(b, 'username'), password: str(b, 'password'), role: checkRole(b.role), grids: (b.grids ?? []) as string[], ...(typeof b.displayName === 'string' ? { displayName: b.displayName } : {}) },
          requestActor(req, res),
        ),
      );
      res.status(201).json({ user });
    }),
  );

  r.patch(
    '/users/:username',
    route(async (req, res) => {
      const name = String(req.params.username);
      const b = object(req.body, ['disabled', 'role', 'grids', 'password']);
      if (b.disabled !== undefined && typeof b.disabled !== 'boolean') throw badRequest('disabled', 'true or false');
      const by = requestActor(req, res);
      const user = await identityCall(res, async () => {
        let u = b.role !== undefined || b.grids !== undefined ? await ctx.accounts.grant(name, { ...(b.role !== undefined ? { role: checkRole(b.role) } : {}), ...(b.grids !== undefined ? { grids: b.grids as string[] } : {}) }, by) : undefined;
        if (b.password !== undefined) u = await ctx.accounts.setPassword(name, str(b, 'password'), by);
        if (typeof b.disabled === 'boolean') u = await ctx.accounts.setDisabled(name, b.disabled, by);
        return u;
      });
      if (!user) throw badRequest('body', 'give at least one of disabled, role, grids, password');
      res.json({ user });
    }),
  );

  r.get(
    '/tokens',
    route(async (_req, res) => {
      res.json({ tokens: await ctx.accounts.listTokens() });
    }),
  );

  r.post(
    '/tokens',
    route(async (req, res) => {
      const b = object(req.body, ['name', 'role', 'grids', 'expiresAt']);
      if (b.expiresAt !== undefined && typeof b.expiresAt !== 'number') throw badRequest('expiresAt', 'epoch milliseconds');
      const created = await identityCall(res, () =>
        ctx.accounts.createToken({ name: str(b, 'name'), role: checkRole(b.role), grids: (b.grids ?? []) as string[], ...(typeof b.expiresAt === 'number' ? { expiresAt: b.expiresAt } : {}) }, requestActor(req, res)),
      );
      res.setHeader('Cache-Control', 'no-store');
      res.status(201).json({ token: created.token, record: created.record, note: 'the token is shown this once; store it now' });
    }),
  );

  r.delete(
    '/tokens/:id',
    route(async (req, res) => {
      res.json({ token: await identityCall(res, () => ctx.accounts.revokeToken(String(req.params.id), requestActor(req, res))) });
    }),
  );

  r.get(
    '/audit',
    route(async (req, res) => {
      const raw = req.query.limit;
      const limit = raw === undefined ? 100 : Number(raw);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw badRequest('limit', 'an integer from 1 to 1000');
      res.json({ audit: await ctx.store.listAudit(limit) });
    }),
  );
  return r;
}
