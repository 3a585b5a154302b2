import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Registry } from 'prom-client';
import { createLogger } from '../log.ts';
import type { AuthApiContext } from './api-context.ts';
import { SECURITY_HEADERS } from './api-app.ts';
import { errorMiddleware, unknownRoute } from './api-errors.ts';
import { ApiRoutes } from './api-routes.ts';
import { authMiddleware } from './auth-middleware.ts';
import { metricsRoutes } from './metrics-routes.ts';

/** The only paths the metrics endpoint serves. */
const SERVED = new Set(['/metrics', '/healthz']);

/**
 * The HTTP endpoint of a process that does not run the api role (a worker or a scheduler on its
 * own): GET /metrics with the same authentication and permission as the API's (a session or a
 * token whose role may read metrics; none: 401, another role: 403) and GET /healthz (public).
 * Any other path is a 404 before authentication: this port serves nothing else.
 */
export function createMetricsApp(auth: AuthApiContext, registry: Registry): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(helmet(SECURITY_HEADERS));
  app.use((req, _res, next) => (SERVED.has(req.path) ? next() : unknownRoute(req, _res, next)));
  app.use(authMiddleware(auth));
  const service = new ApiRoutes('', 'service');
  service.get('/healthz', { summary: 'liveness: the process answers (public)', responses: { 200: '`{ ok: true }`' } }, async (_input, _req, res) => {
    res.json({ ok: true });
  });
  app.use(service.router);
  app.use(metricsRoutes(registry).router);
  app.use(unknownRoute);
  app.use(errorMiddleware(createLogger('metrics')));
  return app;
}
