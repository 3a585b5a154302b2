import express, { type Express } from 'express';
import type { Registry } from 'prom-client';
import { createLogger } from '../log.ts';
import type { ApiContext } from './api-context.ts';
import { errorMiddleware, route, unknownRoute } from './api-errors.ts';
import { cameraRoutes } from './camera-routes.ts';
import { afterPhotoRoutes } from './after-photo-routes.ts';
import { caseRoutes } from './case-routes.ts';
import { catalogueRoutes } from './catalogue-routes.ts';
import { evidenceRoutes } from './evidence-routes.ts';
import { patrolRoutes } from './patrol-routes.ts';
import { verifyPageRoutes } from './verify-page.ts';
import { wallRoutes } from './wall-routes.ts';
import { webRoutes } from './web-routes.ts';

/**
 * Builds the HTTP control API: /api/patrol, /api/cameras, /metrics, /healthz, and with
 * `ctx.cases` the verification routes /api/cases, /evidence and the /verify page.
 */
export function createApiApp(ctx: ApiContext, metrics?: Registry): Express {
  const app = express();
  app.disable('x-powered-by');
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
  app.use('/api/patrol', patrolRoutes(ctx));
  app.use('/api/cameras', cameraRoutes(ctx));
  if (ctx.cases) {
    app.use('/api/cases', caseRoutes(ctx.cases));
    app.use('/api/cases', afterPhotoRoutes(ctx.cases));
    app.use('/api/event-types', catalogueRoutes(ctx.cases));
    app.use('/evidence', evidenceRoutes(ctx.cases.evidenceDir));
    app.use('/verify', verifyPageRoutes(ctx.cases));
  }
  if (ctx.accuracy) app.use('/api/accuracy', ctx.accuracy);
  app.use('/api/wall', wallRoutes(ctx));
  if (ctx.live) app.use('/api/live', ctx.live);
  app.use(webRoutes());
  app.use(unknownRoute);
  app.use(errorMiddleware(createLogger('api')));
  return app;
}
