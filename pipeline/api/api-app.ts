import express, { type Express } from 'express';
import type { Registry } from 'prom-client';
import { createLogger } from '../log.ts';
import type { ApiContext } from './api-context.ts';
import { errorMiddleware, unavailable, unknownRoute } from './api-errors.ts';
import { readiness } from './readiness.ts';
import { ApiRoutes } from './api-routes.ts';
import { buildOpenApi } from './openapi.ts';
import { cameraRoutes } from './camera-routes.ts';
import { caseRoutes } from './case-routes.ts';
import { evidenceRoutes } from './evidence-routes.ts';
import { patrolRoutes } from './patrol-routes.ts';
import { verifyPageRoutes } from './verify-page.ts';

/** Version of the HTTP API in its OpenAPI document. */
export const API_VERSION = '1.0.0';

/**
 * Builds the HTTP control API: /api/patrol, /api/cameras, /metrics, /healthz, /readyz, and with
 * `ctx.cases` the verification routes /api/cases, /evidence and the /verify page.
 */
export function createApiApp(ctx: ApiContext, metrics?: Registry): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '256kb' }));
  const documented: ApiRoutes[] = [];
  const service = new ApiRoutes('', 'service');
  // Alive: the process answers. Whether it can do its job is /readyz.
  service.get('/healthz', { summary: 'liveness: the process answers', responses: { 200: '`{ ok: true }`' } }, async (_input, _req, res) => {
    res.json({ ok: true });
  });
  service.get('/readyz', { summary: 'readiness: Redis, cases, storage, model, leader; 503 names the failing parts', responses: { 200: 'every part ready', 503: '`{ ready: false, failing, checks }`' } }, (_input, req, res) =>
    readiness(ctx.readiness?.() ?? []).then((report) => {
      res.setHeader('Cache-Control', 'no-store');
      res.status(report.ready ? 200 : 503).json(report);
    }),
  );
  if (metrics) {
    service.get('/metrics', { summary: 'Prometheus metrics (text exposition format)', produces: 'text/plain', responses: { 200: 'the metrics' } }, async (_input, _req, res) => {
      res.setHeader('Content-Type', metrics.contentType);
      res.send(await metrics.metrics());
    });
  }
  service.get('/api/openapi.json', { summary: 'this OpenAPI 3.1 document, generated from the schemas the routes validate with', responses: { 200: 'the document' } }, async (_input, _req, res) => {
    res.json(buildOpenApi(documented.flatMap((d) => d.specs), { title: 'Gridworker HTTP API', version: API_VERSION }));
  });
  documented.push(service);
  app.use(service.router);
  const redisReady = ctx.redisReady;
  if (redisReady) {
    app.use('/api', (_req, _res, next) => {
      next(redisReady() ? undefined : unavailable('Redis is not reachable; try again shortly'));
    });
  }
  for (const routes of [patrolRoutes(ctx), cameraRoutes(ctx)]) {
    documented.push(routes);
    app.use(routes.mount, routes.router);
  }
  if (ctx.cases) {
    app.use('/api/cases', caseRoutes(ctx.cases));
    const evidence = evidenceRoutes(ctx.cases.evidenceDir);
    documented.push(evidence);
    app.use(evidence.mount, evidence.router);
    app.use('/verify', verifyPageRoutes(ctx.cases));
  }
  if (ctx.accuracy) {
    documented.push(ctx.accuracy);
    app.use(ctx.accuracy.mount, ctx.accuracy.router);
  }
  app.use(unknownRoute);
  app.use(errorMiddleware(createLogger('api')));
  return app;
}
