import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type Response, Router } from 'express';
import type { ApiContext } from './api-context.ts';
import { badRequest, notFound, route, unavailable } from './api-errors.ts';
import { seesGrid } from '../identity/principal.ts';
import { principalOf } from './request-identity.ts';

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * /api/cameras: the camera list with health, one camera, its recent visits and latest frame.
 * Grid workers see only the cameras of their grids; another grid's camera is a 404 to them.
 */
export function cameraRoutes(ctx: ApiContext): Router {
  const r = Router();
  const find = (id: string, res: Response) => {
    if (!ID.test(id)) throw badRequest('cameraId', `"${id.slice(0, 64)}" is not a valid camera id`);
    const cam = ctx.cameras().find((c) => c.id === id);
    if (!cam || !seesGrid(principalOf(res), cam.grid)) throw notFound(`camera "${id}"`);
    return cam;
  };
  const health = async () => {
    try {
      return await ctx.store.getAllHealth<Record<string, unknown>>();
    } catch (err) {
      throw unavailable(`cannot read camera health: Redis is not reachable (${(err as Error).message})`, err);
    }
  };

  r.get(
    '/',
    route(async (req, res) => {
      const all = await health();
      const grid = typeof req.query.grid === 'string' ? req.query.grid : undefined;
      const state = typeof req.query.health === 'string' ? req.query.health : undefined;
      const p = principalOf(res);
      const list = ctx
        .cameras()
        .filter((c) => (!grid || c.grid === grid) && seesGrid(p, c.grid))
        .map((c) => ({ ...c, health: all[c.id] ?? { state: 'unknown' } }))
        .filter((c) => !state || (c.health as { state?: string }).state === state);
      res.json({ cameras: list, count: list.length });
    }),
  );

  r.get(
    '/:id',
    route(async (req, res) => {
      const cam = find(String(req.params.id), res);
      const all = await health();
      res.json({ ...cam, health: all[cam.id] ?? { state: 'unknown' } });
    }),
  );

  r.get(
    '/:id/visits',
    route(async (req, res) => {
      const cam = find(String(req.params.id), res);
      const raw = req.query.limit;
      const limit = raw === undefined ? 20 : Number(raw);
      if (!Number.isInteger(limit) || limit < 1 || limit > 50) throw badRequest('limit', 'an integer from 1 to 50');
      const visits = await ctx.store.recentVisits(cam.id, limit).catch((err: unknown) => {
        throw unavailable(`cannot read visits: Redis is not reachable (${(err as Error).message})`, err);
      });
      res.json({ cameraId: cam.id, visits });
    }),
  );

  r.get(
    '/:id/latest.jpg',
    route(async (req, res) => {
      const cam = find(String(req.params.id), res);
      const file = join(ctx.storageDir, 'latest', `${cam.id}.jpg`);
      const info = await stat(file).catch(() => null);
      if (!info) throw notFound(`latest frame of camera "${cam.id}" (not visited successfully yet)`);
      res.setHeader('Content-Type', 'image/jpeg');
      res.setHeader('Last-Modified', info.mtime.toUTCString());
      res.setHeader('Cache-Control', 'no-cache');
      createReadStream(file).pipe(res);
    }),
  );
  return r;
}
