import type { Registry } from 'prom-client';
import { ApiRoutes } from './api-routes.ts';

/** GET /metrics: the process's Prometheus metrics (who may read them: route-permissions.ts, `metrics:read`). */
export function metricsRoutes(registry: Registry): ApiRoutes {
  const r = new ApiRoutes('', 'service');
  r.get('/metrics', { summary: 'Prometheus metrics (text exposition format)', produces: 'text/plain', responses: { 200: 'the metrics' } }, async (_input, _req, res) => {
    res.setHeader('Content-Type', registry.contentType);
    res.send(await registry.metrics());
  });
  return r;
}
