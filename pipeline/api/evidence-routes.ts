import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Router } from 'express';
import { isCaseId } from '../cases/case-id.ts';
import { resolveEvidencePath } from '../cases/evidence-path.ts';
import { seesGrid } from '../identity/principal.ts';
import { isGridScoped } from '../identity/roles.ts';
import type { CaseApiContext } from './api-context.ts';
import { badRequest, notFound, route } from './api-errors.ts';
import { caseCall } from './case-route-errors.ts';
import { principalOf } from './request-identity.ts';

/**
 * /evidence/<yyyy-mm-dd>/<sha256>.jpg: evidence JPEGs, for roles that may read cases. Only that
 * exact shape is served, so no path can leave the folder (anything else is a 400). A grid worker
 * must say which case the image belongs to (`?case=<id>`): it is served only when that case is in
 * one of their grids and references the file; otherwise 404. Names are content hashes: the
 * files never change, so clients may cache them (privately) for good.
 */
export function evidenceRoutes(ctx: CaseApiContext): Router {
  const r = Router();
  r.get(
    '/*path',
    route(async (req, res) => {
      const parts = (req.params as { path?: string | string[] }).path;
      const rel = Array.isArray(parts) ? parts.join('/') : String(parts ?? '');
      const file = resolveEvidencePath(ctx.evidenceDir, rel);
      if (!file) throw badRequest('path', 'an evidence path is <yyyy-mm-dd>/<sha256>.jpg');
      const p = principalOf(res);
      if (isGridScoped(p.role)) {
        const id = req.query.case;
        if (typeof id !== 'string' || !isCaseId(id)) throw badRequest('case', 'grid workers name the case the evidence belongs to: ?case=<case id>');
        const c = await caseCall('read the case', () => ctx.store.get(id));
        const refs = c ? Object.values(c.evidence) : [];
        if (!c || !seesGrid(p, c.grid) || !refs.includes(rel)) throw notFound(`evidence "${rel}"`);
      }
      const info = await stat(file).catch(() => null);
      if (!info?.isFile()) throw notFound(`evidence "${rel}"`);
      res.setHeader('Content-Type', 'image/jpeg');
      res.setHeader('Content-Length', String(info.size));
      res.setHeader('Cache-Control', 'private, max-age=31536000, immutable');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      createReadStream(file).pipe(res);
    }),
  );
  return r;
}
