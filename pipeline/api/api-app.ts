import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Registry } from 'prom-client';
import { createLogger } from '../log.ts';
import type { ApiContext } from './api-context.ts';
import { errorMiddleware, route, unknownRoute } from './api-errors.ts';
import { authMiddleware } from './auth-middleware.ts';
import { cameraRoutes } from './camera-routes.ts';
import { caseRoutes } from './case-routes.ts';
import { configRoutes } from './config-routes.ts';
import { evidenceRoutes } from './evidence-routes.ts';
import { identityRoutes } from './identity-routes.ts';
import { loginPageRoutes } from './login-page.ts';
import { patrolRoutes } from './patrol-routes.ts';
import { verifyPageRoutes } from './verify-page.ts';

/**
 * Builds the HTTP API: /api/login|logout|me, /api/patrol, /api/cameras, /metrics, /healthz, and
 * with `ctx.cases` the verification routes /api/cases, /evidence and the /verify page. Every
 * request goes through the auth middleware and the permission table (route-permissions.ts)
 * first; helmet sets the security headers (CSP: scripts from 'self' only, no inline scripts).
 */
export function createApiApp(ctx: ApiContext, metrics?: Registry): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(
    helmet({
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
    }),
  );
  app.use(authMiddleware(ctx.auth));
  app.use(express.json({ limit: '256kb' }));
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  if (metrics) {
    app.get(
      '/metrics',
      route(async (_req, res) => {
        res.setHeader('Content-Type', metrics.contentType);
        res.send(await metrics.metrics());
      }),
    );
  }
  app.use('/login', loginPageRoutes());
  app.use('/api', identityRoutes(ctx.auth));
  app.use('/api/patrol', patrolRoutes(ctx));
  app.use('/api/config', configRoutes(ctx));
  app.use('/api/cameras', cameraRoutes(ctx));
  if (ctx.cases) {
    app.use('/api/cases', caseRoutes(ctx.cases));
    app.use('/evidence', evidenceRoutes(ctx.cases));
    app.use('/verify', verifyPageRoutes(ctx.cases));
  }
  if (ctx.accuracy) app.use('/api/accuracy', ctx.accuracy);
  app.use(unknownRoute);
  app.use(errorMiddleware(createLogger('api')));
  return app;
}
