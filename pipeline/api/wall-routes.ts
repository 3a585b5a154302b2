import type { Response } from 'express';
import { z } from 'zod';
import { seesGrid } from '../identity/principal.ts';
import type { VisitRecord } from '../distributed/patrol-store.ts';
import type { ApiContext } from './api-context.ts';
import { badRequest, notFound, unavailable } from './api-errors.ts';
import { ApiRoutes } from './api-routes.ts';
import { cameraGroups } from './camera-groups.ts';
import { principalOf } from './request-identity.ts';

/** One wall tile: the camera, its health, and its latest frame with that frame's detections. */
export interface WallTile {
  readonly camera: { readonly id: string; readonly name: string; readonly areaType: string; readonly grid: string; readonly priority: string };
  readonly health: Record<string, unknown>;
  /** The latest visit that kept a frame; null when none did yet. */
  readonly latest: {
    /** When the frame was taken (the visit's end), epoch ms. */
    readonly at: number;
    /** URL of the frame (changes with every new frame, so a browser never shows a stale cached one). */
    readonly frameUrl: string;
    readonly width?: number;
    readonly height?: number;
    /** Detections on that frame, boxes 0-1 [x1, y1, x2, y2]. */
    readonly detections: VisitRecord['detections'][number];
    readonly model?: string;
  } | null;
}

const MAX_TILES = 36;
const TilesQuery = z.strictObject({ cameras: z.string().min(1).max(4000).describe('comma-separated camera ids, at most 36') });

/**
 * /api/wall: what the 一键轮巡 wall shows.
 * - GET /groups: camera groups (key areas, all, by area type, grid, priority).
 * - GET /tiles?cameras=a,b,c: one tile per camera (at most 36), in the order given.
 */
export function wallRoutes(ctx: ApiContext): ApiRoutes {
  const r = new ApiRoutes('/api/wall', 'wall');
  // A grid worker sees only the cameras of their grids (as on /api/cameras).
  const visible = (res: Response) => {
    const p = principalOf(res);
    return ctx.cameras().filter((c) => seesGrid(p, c.grid));
  };
  r.get('/groups', { summary: 'camera groups of the wall: key areas, all, per area type, grid and priority', responses: { 200: '`{ groups }`' } }, async (_input, _req, res) => {
    res.json({ groups: cameraGroups(visible(res)) });
  });
  r.get(
    '/tiles',
    { summary: "per camera, its latest frame's URL and detections (0-1 boxes) and its health", query: TilesQuery, responses: { 200: '`{ tiles, now }`', 400: 'bad camera list', 404: 'unknown camera', 503: 'Redis is not reachable' } },
    async ({ query }, _req, res) => {
      const ids = query.cameras.split(',');
      if (ids.length > MAX_TILES) throw badRequest('cameras', `at most ${MAX_TILES} cameras per request`);
      const all = visible(res);
      const cams = ids.map((id) => {
        const c = all.find((x) => x.id === id);
        if (!c) throw notFound(`camera "${id.slice(0, 64)}"`);
        return c;
      });
      let health: Awaited<ReturnType<typeof ctx.store.getAllHealth>>;
      let visits: VisitRecord[][];
      try {
        [health, visits] = await Promise.all([ctx.store.getAllHealth(), Promise.all(cams.map((c) => ctx.store.recentVisits(c.id, 5)))]);
      } catch (err) {
        throw unavailable('cannot read the wall: Redis is not reachable; try again shortly', err);
      }
      const tiles: WallTile[] = cams.map((c, i) => {
        const v = visits[i]?.find((x) => x.evidence);
        return {
          camera: { id: c.id, name: c.name, areaType: c.areaType, grid: c.grid, priority: c.priority },
          health: health[c.id] ?? { state: 'unknown' },
          latest: v
            ? {
                at: v.finishedAt,
                frameUrl: `/api/cameras/${encodeURIComponent(c.id)}/latest.jpg?at=${v.finishedAt}`,
                ...(v.sourceWidth ? { width: v.sourceWidth, height: v.sourceHeight ?? 0 } : {}),
                // The kept frame is the visit's first decoded frame (streams' evidence output).
                detections: v.detections[0] ?? [],
                ...(v.model ? { model: v.model } : {}),
              }
            : null,
        };
      });
      res.json({ tiles, now: Date.now() });
    },
  );
  return r;
}
