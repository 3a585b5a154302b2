import type { Request, Response } from 'express';
import { seesGrid } from '../identity/principal.ts';
import { isGridScoped } from '../identity/roles.ts';
import type { LiveEvent } from '../live/live-event.ts';
import type { ApiCamera } from './api-context.ts';
import { principalOf } from './request-identity.ts';

/**
 * The live feed a request may see: everything, except for grid workers, who see only the cases and
 * cameras of their own grids (as on /api/cases and /api/cameras). A camera's grid is read from the
 * current config at each event, so a reload applies to open connections.
 */
export function liveVisibility(cameras: () => readonly ApiCamera[]): (req: Request, res: Response) => (event: LiveEvent) => boolean {
  return (_req, res) => {
    const p = principalOf(res);
    if (!isGridScoped(p.role)) return () => true;
    return (e) => {
      if (e.kind === 'case' || e.kind === 'overdue') return e.case.grid !== undefined && seesGrid(p, e.case.grid);
      const grid = cameras().find((c) => c.id === e.cameraId)?.grid;
      return grid !== undefined && seesGrid(p, grid);
    };
  };
}
