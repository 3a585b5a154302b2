import express, { type Express } from 'express';
import type { Registry } from 'prom-client';
import { createLogger } from '../log.ts';
import type { ApiContext } from './api-context.ts';
import { errorMiddleware, route, unavailable, unknownRoute } from './api-errors.ts';
import { readinessRoute } from './readiness.ts';
import { cameraRoutes } from './camera-routes.ts';
import { caseRoutes } from './case-routes.ts';
import { evidenceRoutes } from './evidence-routes.ts';
import { patrolRoutes } from './patrol-routes.ts';
import { verifyPageRoutes } from './verify-page.ts';

/**
 * Builds the HTTP control API: /api/patrol, /api/cameras, /metrics, /healthz, /readyz, and with
 * `ctx.cases` the verification routes /api/cases, /evidence and the /verify page.
 */
export function createApiApp(ctx: ApiContext, metrics?: Registry): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '256kb' }));
  // Alive: the process answers. Whether it can do its job is /readyz.
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/readyz', readinessRoute(ctx.readiness ?? (() => [])));
  if (metrics) {
    app.get(
      '/metrics',
      route(async (_req, res) => {
        res.setHeader('Content-Type', metrics.contentType);
        res.send(await metrics.metrics());
      }),
    );
  }
  const redisReady = ctx.redisReady;
  if (redisReady) {
    app.use('/api', (_req, _res, next) => {
      next(redisReady() ? undefined : unavailable('Redis is not reachable; try again shortly'));
    });
  }
  app.use('/api/patrol', patrolRoutes(ctx));
  app.use('/api/cameras', cameraRoutes(ctx));
  if (ctx.cases) {
    app.use('/api/cases', caseRoutes(ctx.cases));
    app.use('/evidence', evidenceRoutes(ctx.cases.evidenceDir));
    app.use('/verify', verifyPageRoutes(ctx.cases));
  }
  if (ctx.accuracy) app.use('/api/accuracy', ctx.accuracy);
  app.use(unknownRoute);
  app.use(errorMiddleware(createLogger('api')));
  return app;
}
