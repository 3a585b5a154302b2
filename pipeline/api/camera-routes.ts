import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Router } from 'express';
import type { ApiContext } from './api-context.ts';
import { badRequest, notFound, route, unavailable } from './api-errors.ts';

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** /api/cameras: the camera list with health, one camera, its recent visits and latest frame. */
export function cameraRoutes(ctx: ApiContext): Router {
  const r = Router();
  const find = (id: string) => {
    if (!ID.test(id)) throw badRequest('cameraId', `"${id.slice(0, 64)}" is not a valid camera id`);
    const cam = ctx.cameras().find((c) => c.id === id);
    if (!cam) throw notFound(`camera "${id}"`);
    return cam;
  };
  const health = async () => {
    try {
      return await ctx.store.getAllHealth();
    } catch (err) {
      throw unavailable(`cannot read camera health: Redis is not reachable`, err);
    }
  };

  const outcomes = async () => {
    try {
      return await ctx.store.getLastOutcomes();
    } catch (err) {
      throw unavailable(`cannot read visit outcomes: Redis is not reachable`, err);
    }
  };

  r.get(
    '/',
    route(async (req, res) => {
      const [all, last] = await Promise.all([health(), outcomes()]);
      const grid = typeof req.query.grid === 'string' ? req.query.grid : undefined;
      const state = typeof req.query.health === 'string' ? req.query.health : undefined;
      const list = ctx
        .cameras()
        .filter((c) => !grid || c.grid === grid)
        .map((c) => ({ ...c, health: all[c.id] ?? { state: 'unknown' }, lastVisit: last[c.id] ?? null }))
        .filter((c) => !state || (c.health as { state?: string }).state === state);
      res.json({ cameras: list, count: list.length });
    }),
  );

  r.get(
    '/:id',
    route(async (req, res) => {
      const cam = find(String(req.params.id));
      const [all, last] = await Promise.all([health(), outcomes()]);
      res.json({ ...cam, health: all[cam.id] ?? { state: 'unknown' }, lastVisit: last[cam.id] ?? null });
    }),
  );

  r.get(
    '/:id/visits',
    route(async (req, res) => {
      const cam = find(String(req.params.id));
      const raw = req.query.limit;
      const limit = raw === undefined ? 20 : Number(raw);
      if (!Number.isInteger(limit) || limit < 1 || limit > 50) throw badRequest('limit', 'an integer from 1 to 50');
      const visits = await ctx.store.recentVisits(cam.id, limit).catch((err: unknown) => {
        throw unavailable(`cannot read visits: Redis is not reachable`, err);
      });
      res.json({ cameraId: cam.id, visits });
    }),
  );

  r.get(
    '/:id/latest.jpg',
    route(async (req, res) => {
      const cam = find(String(req.params.id));
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
