import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { ApiContext } from './api-context.ts';
import { notFound, unavailable } from './api-errors.ts';
import { ApiRoutes } from './api-routes.ts';
import { seesGrid } from '../identity/principal.ts';
import { principalOf } from './request-identity.ts';
import type { Response } from 'express';

/** A camera id as the config allows it. */
export const CameraIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'not a valid camera id')
  .describe('camera id (from the config)');
const CameraParams = z.strictObject({ id: CameraIdSchema });

/** Filters of GET /api/cameras. */
export const CameraListQuery = z.strictObject({
  grid: z.string().min(1).max(128).optional().describe('only cameras of this grid'),
  health: z.enum(['unknown', 'online', 'degraded', 'offline']).optional().describe('only cameras in this health state (unknown: never visited)'),
});

/** Query of GET /api/cameras/:id/visits. */
/** The latest frame takes only a cache key (the console sends the visit's time so a new frame is fetched anew). */
const LatestQuery = z.strictObject({ at: z.string().max(32).optional().describe('any value: a cache key, ignored by the server') });
export const VisitListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(50).default(20).describe('how many recent visits, 1-50; default 20'),
});

/**
 * /api/cameras: the camera list with health, one camera, its recent visits and latest frame.
 * Grid workers see only the cameras of their grids; another grid's camera is a 404 to them.
 */
export function cameraRoutes(ctx: ApiContext): ApiRoutes {
  const r = new ApiRoutes('/api/cameras', 'cameras');
  const find = (id: string, res: Response) => {
    const cam = ctx.cameras().find((c) => c.id === id);
    if (!cam || !seesGrid(principalOf(res), cam.grid)) throw notFound(`camera "${id}"`);
    return cam;
  };
  const health = async () => {
    try {
      return await ctx.store.getAllHealth();
    } catch (err) {
      throw unavailable('cannot read camera health: Redis is not reachable', err);
    }
  };
  const outcomes = async () => {
    try {
      return await ctx.store.getLastOutcomes();
    } catch (err) {
      throw unavailable('cannot read visit outcomes: Redis is not reachable', err);
    }
  };

  r.get('/', { summary: 'cameras with health and the outcome of their last visit; URLs masked', query: CameraListQuery, responses: { 200: '`{ cameras, count }`', 503: 'Redis is not reachable' } }, async ({ query }, _req, res) => {
    const [all, last] = await Promise.all([health(), outcomes()]);
    const p = principalOf(res);
    const list = ctx
      .cameras()
      .filter((c) => (!query.grid || c.grid === query.grid) && seesGrid(p, c.grid))
      .map((c) => ({ ...c, health: all[c.id] ?? { state: 'unknown' }, lastVisit: last[c.id] ?? null }))
      .filter((c) => !query.health || c.health.state === query.health);
    res.json({ cameras: list, count: list.length });
  });

  r.get('/:id', { summary: 'one camera with health and last visit', params: CameraParams, responses: { 200: 'the camera', 404: 'no such camera', 503: 'Redis is not reachable' } }, async ({ params }, _req, res) => {
    const cam = find(params.id, res);
    const [all, last] = await Promise.all([health(), outcomes()]);
    res.json({ ...cam, health: all[cam.id] ?? { state: 'unknown' }, lastVisit: last[cam.id] ?? null });
  });

  r.get(
    '/:id/visits',
    { summary: "the camera's recent visits with their detections, newest first", params: CameraParams, query: VisitListQuery, responses: { 200: '`{ cameraId, visits }`', 404: 'no such camera', 503: 'Redis is not reachable' } },
    async ({ params, query }, _req, res) => {
      const cam = find(params.id, res);
      const visits = await ctx.store.recentVisits(cam.id, query.limit).catch((err: unknown) => {
        throw unavailable('cannot read visits: Redis is not reachable', err);
      });
      res.json({ cameraId: cam.id, visits });
    },
  );

  r.get(
    '/:id/latest.jpg',
    { summary: "the camera's latest frame (JPEG, full resolution)", params: CameraParams, query: LatestQuery, produces: 'image/jpeg', responses: { 200: 'the JPEG', 404: 'no such camera, or not visited successfully yet' } },
    async ({ params }, _req, res) => {
      const cam = find(params.id, res);
      const file = join(ctx.storageDir, 'latest', `${cam.id}.jpg`);
      const info = await stat(file).catch(() => null);
      if (!info) throw notFound(`latest frame of camera "${cam.id}" (not visited successfully yet)`);
      res.setHeader('Content-Type', 'image/jpeg');
      res.setHeader('Last-Modified', info.mtime.toUTCString());
      res.setHeader('Cache-Control', 'no-cache');
      createReadStream(file).pipe(res);
    },
  );
  return r;
}
