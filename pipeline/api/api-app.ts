import express, { type Express, Router } from 'express';
import helmet, { type HelmetOptions } from 'helmet';
import type { Registry } from 'prom-client';
import { createLogger } from '../log.ts';
import type { ApiContext } from './api-context.ts';
import { errorMiddleware, unavailable, unknownRoute } from './api-errors.ts';
import { ApiRoutes } from './api-routes.ts';
import { buildOpenApi } from './openapi.ts';
import { readiness } from './readiness.ts';
import { authMiddleware } from './auth-middleware.ts';
import { cameraRoutes } from './camera-routes.ts';
import { afterPhotoRoutes } from './after-photo-routes.ts';
import { caseRoutes } from './case-routes.ts';
import { caseUnitRoutes } from './case-units-routes.ts';
import { catalogueRoutes } from './catalogue-routes.ts';
import { configRoutes } from './config-routes.ts';
import { evidenceRoutes } from './evidence-routes.ts';
import { identityRoutes } from './identity-routes.ts';
import { loginPageRoutes } from './login-page.ts';
import { metricsRoutes } from './metrics-routes.ts';
import { patrolRoutes } from './patrol-routes.ts';
import { verifyPageRoutes } from './verify-page.ts';
import { wallRoutes } from './wall-routes.ts';
import { webRoutes } from './web-routes.ts';

/** helmet's settings: a CSP allowing scripts from this server only (no inline script), no framing, nosniff, same-origin referrers. */
export const SECURITY_HEADERS: HelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: true,
    directives: {
      'default-src': ["'self'"],
      'script-src': ["'self'"],
      'style-src': ["'self'", "'unsafe-inline'"],
      'img-src': ["'self'", 'data:'],
      'connect-src': ["'self'"],
      'frame-ancestors': ["'none'"],
      'form-action': ["'self'"],
      'object-src': ["'none'"],
      'base-uri': ["'none'"],
    },
  },
  referrerPolicy: { policy: 'same-origin' },
  frameguard: { action: 'deny' },
};

/** Version of the HTTP API in its OpenAPI document. */
export const API_VERSION = '1.0.0';

/**
 * Builds the HTTP API: /api/login|logout|me, /api/patrol, /api/cameras, /metrics, /healthz, /readyz, /api/openapi.json, and
 * with `ctx.cases` the verification routes /api/cases, /evidence and the /verify page. Every
 * request goes through the auth middleware and the permission table (route-permissions.ts)
 * first; helmet sets the security headers (CSP: scripts from 'self' only, no inline scripts).
 */
export function createApiApp(ctx: ApiContext, metrics?: Registry): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(helmet(SECURITY_HEADERS));
  // While Redis is away every /api call (authentication included: sessions live there) answers a
  // plain 503 at once instead of waiting on a dead connection.
  const redisReady = ctx.redisReady;
  if (redisReady) {
    app.use('/api', (_req, _res, next) => {
      next(redisReady() ? undefined : unavailable('Redis is not reachable; try again shortly'));
    });
  }
  app.use(authMiddleware(ctx.auth));
  app.use(apiRoutes(ctx, metrics));
  app.use(unknownRoute);
  app.use(errorMiddleware(createLogger('api')));
  return app;
}

/**
 * Every handler of the API, in one router, WITHOUT authentication: it must only ever be mounted
 * behind authMiddleware, as createApiApp does (handlers read the principal it leaves, see
 * request-identity.ts). The auth benchmark mounts it behind a fixed principal to measure the same
 * routes without authentication. Routes declared with ApiRoutes are in /api/openapi.json.
 */
/** The routes whose JSON body carries a photo (larger than the app-wide limit). */
const PHOTO_BODY_PATH = /^\/api\/cases\/[^/]+\/(handle|resolve)$/;

export function apiRoutes(ctx: ApiContext, metrics?: Registry): Router {
  const r = Router();
  // JSON bodies up to 256 kB, except the handled step, whose after-photo travels in the body (its route parses it, see case-routes.ts).
  const smallJson = express.json({ limit: '256kb' });
  r.use((req, res, next) => (PHOTO_BODY_PATH.test(req.path) ? next() : smallJson(req, res, next)));
  const documented: ApiRoutes[] = [];
  const mount = (routes: ApiRoutes): void => {
    documented.push(routes);
    r.use(routes.mount, routes.router);
  };
  const service = new ApiRoutes('', 'service');
  // Alive: the process answers. Whether it can do its job is /readyz.
  service.get('/healthz', { summary: 'liveness: the process answers (public)', responses: { 200: '`{ ok: true }`' } }, async (_input, _req, res) => {
    res.json({ ok: true });
  });
  service.get('/readyz', { summary: 'readiness (public): Redis, cases, storage, model, leader; 503 names the failing parts', responses: { 200: 'every part ready', 503: '`{ ready: false, failing, checks }`' } }, async (_input, _req, res) => {
    const report = await readiness(ctx.readiness?.() ?? []);
    res.setHeader('Cache-Control', 'no-store');
    res.status(report.ready ? 200 : 503).json(report);
  });
  service.get('/api/openapi.json', { summary: 'this OpenAPI 3.1 document, generated from the schemas the routes validate with', responses: { 200: 'the document' } }, async (_input, _req, res) => {
    res.json(buildOpenApi(documented.flatMap((d) => d.specs), { title: 'Gridworker HTTP API', version: API_VERSION }));
  });
  mount(service);
  if (metrics) mount(metricsRoutes(metrics));
  mount(loginPageRoutes());
  mount(identityRoutes(ctx.auth));
  mount(patrolRoutes(ctx));
  mount(configRoutes(ctx));
  mount(cameraRoutes(ctx));
  if (ctx.cases) {
    mount(caseRoutes(ctx.cases));
    mount(caseUnitRoutes(ctx.cases));
    mount(afterPhotoRoutes(ctx.cases));
    mount(catalogueRoutes(ctx.cases));
    mount(evidenceRoutes(ctx.cases));
    mount(verifyPageRoutes(ctx.cases));
  }
  // Before the report: its router would otherwise see /api/accuracy/shadow first.
  if (ctx.shadow) mount(ctx.shadow);
  if (ctx.accuracy) mount(ctx.accuracy);
  // The console's routes (issue 10): the wall, the live feed and the built web app.
  mount(wallRoutes(ctx));
  if (ctx.live) mount(ctx.live);
  r.use(webRoutes());
  return r;
}
