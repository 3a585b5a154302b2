import express, { type Express, Router } from 'express';
import helmet, { type HelmetOptions } from 'helmet';
import type { Registry } from 'prom-client';
import { createLogger } from '../log.ts';
import type { ApiContext } from './api-context.ts';
import { errorMiddleware, route, unknownRoute } from './api-errors.ts';
import { authMiddleware } from './auth-middleware.ts';
import { cameraRoutes } from './camera-routes.ts';
import { afterPhotoRoutes } from './after-photo-routes.ts';
import { caseRoutes } from './case-routes.ts';
import { catalogueRoutes } from './catalogue-routes.ts';
import { configRoutes } from './config-routes.ts';
import { evidenceRoutes } from './evidence-routes.ts';
import { identityRoutes } from './identity-routes.ts';
import { loginPageRoutes } from './login-page.ts';
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

/**
 * Builds the HTTP API: /api/login|logout|me, /api/patrol, /api/cameras, /metrics, /healthz, and
 * with `ctx.cases` the verification routes /api/cases, /evidence and the /verify page. Every
 * request goes through the auth middleware and the permission table (route-permissions.ts)
 * first; helmet sets the security headers (CSP: scripts from 'self' only, no inline scripts).
 */
export function createApiApp(ctx: ApiContext, metrics?: Registry): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(helmet(SECURITY_HEADERS));
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
 * routes without authentication.
 */
export function apiRoutes(ctx: ApiContext, metrics?: Registry): Router {
  const r = Router();
  r.use(express.json({ limit: '256kb' }));
  r.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  if (metrics) {
    r.get(
      '/metrics',
      route(async (_req, res) => {
        res.setHeader('Content-Type', metrics.contentType);
        res.send(await metrics.metrics());
      }),
    );
  }
  r.use('/login', loginPageRoutes());
  r.use('/api', identityRoutes(ctx.auth));
  r.use('/api/patrol', patrolRoutes(ctx));
  r.use('/api/config', configRoutes(ctx));
  r.use('/api/cameras', cameraRoutes(ctx));
  if (ctx.cases) {
    r.use('/api/cases', caseRoutes(ctx.cases));
    r.use('/api/cases', afterPhotoRoutes(ctx.cases));
    r.use('/api/event-types', catalogueRoutes(ctx.cases));
    r.use('/evidence', evidenceRoutes(ctx.cases));
    r.use('/verify', verifyPageRoutes(ctx.cases));
  }
  if (ctx.accuracy) r.use('/api/accuracy', ctx.accuracy);
  r.use('/api/wall', wallRoutes(ctx));
  if (ctx.live) r.use('/api/live', ctx.live);
  r.use(webRoutes());
  return r;
}
