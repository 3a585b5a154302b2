import type { Request, Response } from 'express';
import { z } from 'zod';
import { rateLimit } from 'express-rate-limit';
import { IdentityError, IdentityInputError } from '../identity/identity-errors.ts';
import { ROLE_PERMISSIONS, ROLES, type Role } from '../identity/roles.ts';
import type { AuthApiContext } from './api-context.ts';
import { ApiError, badRequest } from './api-errors.ts';
import { ApiRoutes } from './api-routes.ts';
import { principalOf, requestActor, SESSION_COOKIE, sameOriginWrite } from './request-identity.ts';

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

const RoleSchema = z.enum(ROLES as [Role, ...Role[]]).describe(`one of ${ROLES.join(', ')}`);
const Grids = z.array(z.string().min(1).max(128)).max(1000).describe('grids a grid worker (or a token) is limited to');

/** Body of POST /api/login. */
export const LoginBody = z.strictObject({ username: z.string().min(1).max(128), password: z.string().min(1).max(1024) });
/** Body of POST /api/users. */
export const AddUserBody = z.strictObject({ username: z.string().min(1).max(128), password: z.string().min(1).max(1024), role: RoleSchema, grids: Grids.default([]), displayName: z.string().max(128).optional() });
/** Body of PATCH /api/users/:username (at least one field). */
export const PatchUserBody = z.strictObject({ disabled: z.boolean().optional(), role: RoleSchema.optional(), grids: Grids.optional(), password: z.string().min(1).max(1024).optional() });
/** Body of POST /api/tokens. */
export const CreateTokenBody = z.strictObject({ name: z.string().min(1).max(128), role: RoleSchema, grids: Grids.default([]), expiresAt: z.number().int().positive().optional().describe('epoch milliseconds') });
/** Query of GET /api/audit. */
export const AuditQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(100).describe('how many entries, newest first; 1-1000, default 100') });
const UserParams = z.strictObject({ username: z.string().min(1).max(128) });
const TokenParams = z.strictObject({ id: z.string().min(1).max(128) });

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
export function identityRoutes(ctx: AuthApiContext): ApiRoutes {
  const r = new ApiRoutes('/api', 'identity');
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
    { summary: 'log in: sets the gw_session cookie (public)', body: LoginBody, before: [limiter], responses: { 200: '`{ user }`', 401: 'wrong user name or password', 403: 'cross-origin login', 429: 'address rate limit or account locked (Retry-After)' } },
    async ({ body }, req, res) => {
      // Login CSRF: a browser posting from another origin is refused; clients without Origin (curl) pass.
      if (req.get('origin') !== undefined || req.get('sec-fetch-site') !== undefined) {
        const check = sameOriginWrite(req, ctx.trustedOrigins ?? []);
        if (!check.ok) throw new ApiError(403, 'CSRF', `cross-origin login refused: ${check.why}`);
      }
      const result = await identityCall(res, () => ctx.authenticator.login(body.username, body.password, req.ip ? { ip: req.ip } : {}));
      res.cookie(SESSION_COOKIE, result.sessionId, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/', expires: new Date(result.expiresAt) });
      res.setHeader('Cache-Control', 'no-store');
      res.json({ user: { ...result.user, permissions: [...ROLE_PERMISSIONS[result.user.role]] } });
    },
  );

  r.post('/logout', { summary: 'end this session', responses: { 204: 'logged out' } }, async (_input, _req, res) => {
    const p = principalOf(res);
    if (p.sessionDigest) await ctx.authenticator.logout(p.sessionDigest);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  });

  r.get('/me', { summary: 'who is asking: user or token, role, grids, permissions', responses: { 200: '`{ user }`' } }, async (_input, _req, res) => {
    const p = principalOf(res);
    res.json({ user: { username: p.name, displayName: p.displayName, role: p.role, grids: p.grids, kind: p.kind, permissions: [...ROLE_PERMISSIONS[p.role]] } });
  });

  r.get('/users', { summary: 'every user (admin)', responses: { 200: '`{ users }`' } }, async (_input, _req, res) => {
    res.json({ users: await ctx.accounts.listUsers() });
  });

  r.post('/users', { summary: 'add a user (admin); audited', body: AddUserBody, responses: { 201: '`{ user }`', 409: 'the user exists' } }, async ({ body }, req, res) => {
    const user = await identityCall(res, () =>
      ctx.accounts.addUser({ username: body.username, password: body.password, role: body.role, grids: body.grids, ...(body.displayName !== undefined ? { displayName: body.displayName } : {}) }, requestActor(req, res)),
    );
    res.status(201).json({ user });
  });

  r.patch('/users/:username', { summary: 'disable or enable, change role or grids, set a password (admin); ends their sessions; audited', params: UserParams, body: PatchUserBody, responses: { 200: '`{ user }`', 404: 'no such user' } }, async ({ params, body }, req, res) => {
    const name = params.username;
    const by = requestActor(req, res);
    const user = await identityCall(res, async () => {
      let u = body.role !== undefined || body.grids !== undefined ? await ctx.accounts.grant(name, { ...(body.role !== undefined ? { role: body.role } : {}), ...(body.grids !== undefined ? { grids: body.grids } : {}) }, by) : undefined;
      if (body.password !== undefined) u = await ctx.accounts.setPassword(name, body.password, by);
      if (body.disabled !== undefined) u = await ctx.accounts.setDisabled(name, body.disabled, by);
      return u;
    });
    if (!user) throw badRequest('body', 'give at least one of disabled, role, grids, password');
    res.json({ user });
  });

  r.get('/tokens', { summary: 'service tokens, never their secrets (admin)', responses: { 200: '`{ tokens }`' } }, async (_input, _req, res) => {
    res.json({ tokens: await ctx.accounts.listTokens() });
  });

  r.post('/tokens', { summary: 'create a service token: its secret is in this answer only (admin); audited', body: CreateTokenBody, responses: { 201: '`{ token, record, note }`' } }, async ({ body }, req, res) => {
    const created = await identityCall(res, () =>
      ctx.accounts.createToken({ name: body.name, role: body.role, grids: body.grids, ...(body.expiresAt !== undefined ? { expiresAt: body.expiresAt } : {}) }, requestActor(req, res)),
    );
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json({ token: created.token, record: created.record, note: 'the token is shown this once; store it now' });
  });

  r.delete('/tokens/:id', { summary: 'revoke a token: refused from the next request on (admin); audited', params: TokenParams, responses: { 200: '`{ token }`', 404: 'no such token' } }, async ({ params }, req, res) => {
    res.json({ token: await identityCall(res, () => ctx.accounts.revokeToken(params.id, requestActor(req, res))) });
  });

  r.get('/audit', { summary: 'the system audit, newest first', query: AuditQuery, responses: { 200: '`{ audit }`' } }, async ({ query }, _req, res) => {
    res.json({ audit: await ctx.store.listAudit(query.limit) });
  });
  return r;
}
